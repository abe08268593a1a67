import Glibc

/// sd_notify(3) written directly (daemon-conventions.md §2.1): one datagram per message to
/// `$NOTIFY_SOCKET`, a path or an abstract (`@`) unix socket. Hand-written because libsystemd
/// is not a dependency and the protocol is a documented, stable datagram format.
public final class SystemdNotifier: Sendable {
    private let fd: Int32
    private let address: [UInt8]   // sun_path bytes; abstract names start with NUL
    /// Half of `$WATCHDOG_USEC` when the watchdog is on for this process.
    public let watchdogInterval: Duration?

    /// From the environment; inert (every send is a no-op) when `NOTIFY_SOCKET` is unset or invalid.
    public convenience init(environment: [String: String]) {
        self.init(socketPath: environment["NOTIFY_SOCKET"],
                  watchdogUsec: environment["WATCHDOG_USEC"].flatMap { UInt64($0) },
                  watchdogPid: environment["WATCHDOG_PID"].flatMap { Int32($0) })
    }

    public init(socketPath: String?, watchdogUsec: UInt64? = nil, watchdogPid: Int32? = nil) {
        if let usec = watchdogUsec, usec > 0, watchdogPid == nil || watchdogPid == getpid() {
            watchdogInterval = .microseconds(Int64(usec / 2))
        } else {
            watchdogInterval = nil
        }
        guard let p = socketPath, p.hasPrefix("/") || p.hasPrefix("@"), p.utf8.count < 108 else {
            fd = -1; address = []; return
        }
        var bytes = Array(p.utf8)
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }
        address = bytes
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    deinit { if fd >= 0 { close(fd) } }

    public var isActive: Bool { fd >= 0 }

    /// Sends newline-separated `KEY=VALUE` lines as one datagram; false if it could not be sent.
    @discardableResult
    public func send(_ lines: String...) -> Bool { send(lines: lines) }

    @discardableResult
    public func send(lines: [String]) -> Bool {
        guard fd >= 0 else { return false }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in address.enumerated() { raw[i] = b }
        }
        // The length counts only the name's bytes: every byte of an abstract name is significant.
        let len = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + address.count)
        let msg = Array(lines.joined(separator: "\n").utf8)
        let n = withUnsafePointer(to: &addr) { ap in
            ap.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                // Never block the main loop on a manager that is not reading (a unix datagram
                // queue holds only net.unix.max_dgram_qlen messages): drop the message instead.
                msg.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), sa, len) }
            }
        }
        return n == msg.count
    }

    public func ready(status: String? = nil) { send(lines: ["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? [])) }
    public func status(_ text: String) { send("STATUS=\(text)") }
    public func watchdog() { send("WATCHDOG=1") }
    public func stopping() { send("STOPPING=1") }

    /// `RELOADING=1` with the CLOCK_MONOTONIC time in µs, as systemd's notify-reload expects.
    public func reloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let usec = UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
        send("RELOADING=1", "MONOTONIC_USEC=\(usec)")
    }
}

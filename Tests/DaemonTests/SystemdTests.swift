import Foundation
import Glibc
import Logging
import Testing
@testable import Daemon

/// A real AF_UNIX datagram socket bound at a path or an abstract name, as systemd's is.
final class NotifyListener {
    let fd: Int32
    let name: String   // as NOTIFY_SOCKET spells it

    init(abstract: Bool) throws {
        let tag = "wwmon-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        name = abstract ? "@\(tag)" : FileManager.default.temporaryDirectory.appendingPathComponent("\(tag).sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var addr = sockaddr_un(); addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8); if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let len = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
        var tv = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next datagram (blocks up to the receive timeout; nil on timeout).
    func receive() -> String? {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buf, buf.count, 0)
        return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : nil
    }

    /// Datagrams until one contains `needle`.
    func receive(until needle: String, max: Int = 200) -> [String] {
        var out: [String] = []
        while out.count < max, let m = receive() {
            out.append(m)
            if m.contains(needle) { break }
        }
        return out
    }

    deinit {
        close(fd)
        if !name.hasPrefix("@") { unlink(name) }
    }
}

@Suite("systemd: sd_notify datagrams, watchdog, journald prefixes")
struct SystemdTests {
    @Test(arguments: [false, true])
    func notifyReachesARealSocket(abstract: Bool) throws {
        let l = try NotifyListener(abstract: abstract)
        let n = SystemdNotifier(environment: ["NOTIFY_SOCKET": l.name])
        #expect(n.isActive)
        n.ready(status: "watching 3 runs, 0 queued")
        #expect(l.receive() == "READY=1\nSTATUS=watching 3 runs, 0 queued")
        n.reloading()
        let r = l.receive() ?? ""
        #expect(r.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        #expect(UInt64(r.split(separator: "=").last ?? "") ?? 0 > 0)
        n.watchdog(); #expect(l.receive() == "WATCHDOG=1")
        n.stopping(); #expect(l.receive() == "STOPPING=1")
    }

    @Test func inertWithoutOrWithBadSocket() {
        #expect(!SystemdNotifier(environment: [:]).isActive)
        #expect(!SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]).isActive)
        #expect(SystemdNotifier(environment: [:]).send("READY=1") == false)
    }

    /// Pings at half of WATCHDOG_USEC, and only for the PID systemd named.
    @Test func watchdogInterval() {
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "10000000"]).watchdogInterval == .seconds(5))
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "\(getpid())"]).watchdogInterval == .seconds(5))
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "1"]).watchdogInterval == nil)
        #expect(SystemdNotifier(environment: [:]).watchdogInterval == nil)
    }

    @Test func journalDetectionComparesStderr() {
        var st = stat(); fstat(2, &st)
        #expect(JournalLogHandler.stderrIsJournal("\(st.st_dev):\(st.st_ino)"))
        #expect(!JournalLogHandler.stderrIsJournal("\(st.st_dev):\(st.st_ino &+ 1)"))
        #expect(!JournalLogHandler.stderrIsJournal(nil))
        #expect(!JournalLogHandler.stderrIsJournal("garbage"))
        #expect(JournalLogHandler.priority(.error) == 3)
        #expect(JournalLogHandler.priority(.warning) == 4)
        #expect(JournalLogHandler.priority(.notice) == 5)
        #expect(JournalLogHandler.priority(.info) == 6)
        #expect(JournalLogHandler.priority(.debug) == 7)
    }

    @Test func mountinfoFindsNetworkFilesystems() {
        let info = """
        22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
        40 22 0:50 / /data rw,relatime shared:5 - nfs4 server:/export rw
        41 40 0:51 / /data/local\\040disk rw - ext4 /dev/sdb1 rw
        42 22 0:52 / /mnt/fuse rw - fuse.sshfs host: rw
        """
        #expect(FilesystemKind.type(at: "/data/experiments/x", mountinfo: info) == "nfs4")
        #expect(FilesystemKind.type(at: "/data/local disk/run", mountinfo: info) == "ext4")
        #expect(FilesystemKind.type(at: "/mnt/fuse/a", mountinfo: info) == "fuse.sshfs")
        #expect(FilesystemKind.type(at: "/home", mountinfo: info) == "ext4")
        #expect(FilesystemKind.isNetwork("nfs4") && FilesystemKind.isNetwork("fuse.sshfs")
                && FilesystemKind.isNetwork("lustre") && FilesystemKind.isNetwork("gpfs")
                && FilesystemKind.isNetwork("cifs") && FilesystemKind.isNetwork("ceph"))
        #expect(!FilesystemKind.isNetwork("ext4") && !FilesystemKind.isNetwork("xfs") && !FilesystemKind.isNetwork("tmpfs"))
        // The temp folder the tests use is local here, so auto mode uses inotify on it.
        #expect(FilesystemKind.type(at: FileManager.default.temporaryDirectory.path) != nil)
    }
}

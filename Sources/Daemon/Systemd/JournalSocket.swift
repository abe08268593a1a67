import Glibc

/// An unbound AF_UNIX datagram socket that sends to the journal's socket path. One per process
/// (made by JournalLogHandler.factory), shared by every handler; closed when the last goes.
public final class JournalSocket: Sendable {
    private let fd: Int32
    private let path: [UInt8]

    /// nil when `path` is not a socket (no journald) or no socket can be made.
    public init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFSOCK else { return nil }
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else { return nil }
        let s = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { return nil }
        fd = s
        self.path = bytes
    }

    deinit { close(fd) }

    /// Sends one datagram; false when it could not be sent (journald gone, record too big for a
    /// datagram) so the caller can write it elsewhere.
    public func send(_ datagram: [UInt8]) -> Bool {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.enumerated() { raw[i] = b }
        }
        return datagram.withUnsafeBytes { buf in
            withUnsafePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    while true {
                        let n = sendto(fd, buf.baseAddress, buf.count, Int32(MSG_NOSIGNAL), sa,
                                       socklen_t(MemoryLayout<sockaddr_un>.size))
                        if n < 0 && errno == EINTR { continue }
                        return n == buf.count
                    }
                }
            }
        }
    }
}

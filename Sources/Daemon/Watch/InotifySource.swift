import Dispatch
import Glibc

/// One raw inotify event.
public struct InotifyEvent: Sendable, Equatable {
    public var wd: Int32
    public var mask: UInt32
    public var cookie: UInt32
    public var name: String

    public func has(_ flag: Int32) -> Bool { mask & UInt32(bitPattern: flag) != 0 }
    public var isDir: Bool { has(IN_ISDIR) }

    /// Splits a read buffer into events (`struct inotify_event` imports without its trailing name).
    static func parse(_ buf: UnsafeRawBufferPointer) -> [InotifyEvent] {
        var out: [InotifyEvent] = []
        let hdr = MemoryLayout<inotify_event>.size
        var off = 0
        while off + hdr <= buf.count {
            let wd = buf.loadUnaligned(fromByteOffset: off, as: Int32.self)
            let mask = buf.loadUnaligned(fromByteOffset: off + 4, as: UInt32.self)
            let cookie = buf.loadUnaligned(fromByteOffset: off + 8, as: UInt32.self)
            let len = Int(buf.loadUnaligned(fromByteOffset: off + 12, as: UInt32.self))
            let end = min(off + hdr + len, buf.count)
            let nameBytes = buf[(off + hdr)..<end].prefix { $0 != 0 }
            out.append(InotifyEvent(wd: wd, mask: mask, cookie: cookie,
                                    name: String(decoding: nameBytes, as: UTF8.self)))
            off += hdr + len
        }
        return out
    }
}

/// A non-blocking inotify descriptor read by a DispatchSource into an AsyncStream (the spike's
/// design, swift-linux.md §4). Hand-written on Glibc: no package wraps inotify, and
/// libinotifytools has process-global state.
final class InotifySource: @unchecked Sendable {  // fd and source are set once; the source is only cancelled
    let fd: Int32
    let events: AsyncStream<InotifyEvent>
    private let source: DispatchSourceRead

    init() throws(WatchError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw WatchError.system("inotify_init1", errno) }
        self.fd = fd
        let (stream, cont) = AsyncStream.makeStream(of: InotifyEvent.self, bufferingPolicy: .unbounded)
        events = stream
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: DispatchQueue(label: "wwmon.inotify"))
        source.setEventHandler {
            // Sized for a full default queue burst of short names; read until EAGAIN.
            var buf = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                buf.withUnsafeBytes { raw in
                    for e in InotifyEvent.parse(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { cont.yield(e) }
                }
            }
        }
        source.setCancelHandler { close(fd); cont.finish() }
        source.resume()
        cont.onTermination = { [weak self] _ in self?.source.cancel() }
    }

    /// `inotify_add_watch`; the errno on failure.
    func add(_ path: String, mask: UInt32) -> Result<Int32, WatchError> {
        let wd = inotify_add_watch(fd, path, mask)
        return wd >= 0 ? .success(wd) : .failure(.system("inotify_add_watch \(path)", errno))
    }

    func remove(_ wd: Int32) { _ = inotify_rm_watch(fd, wd) }

    func cancel() { source.cancel() }
}

public enum WatchError: Error, Sendable, Equatable, CustomStringConvertible {
    case system(String, Int32)

    public var errno: Int32 { if case .system(_, let e) = self { return e }; return 0 }

    public var description: String {
        switch self {
        case .system(let what, let e): "\(what): \(String(cString: strerror(e)))"
        }
    }
}

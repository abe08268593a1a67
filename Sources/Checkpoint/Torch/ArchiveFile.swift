#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only file read with pread at explicit offsets, every range checked against the
/// size seen at open. pread rather than mmap: a checkpoint may still be truncated or
/// rewritten while we read it, and a touched page past a new end is a SIGBUS (formats.md §4.1).
final class ArchiveFile {
    let path: String
    let size: UInt64
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CheckpointFormatError(path, "cannot open: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let msg = String(cString: strerror(errno))
            close(fd)
            throw CheckpointFormatError(path, "cannot stat: \(msg)")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw CheckpointFormatError(path, "is a directory, expected a file")
        }
        self.path = path
        self.fd = fd
        self.size = UInt64(max(0, Int64(st.st_size)))
    }

    deinit { close(fd) }

    /// Exactly `count` bytes at `offset`, or an error naming the file when the range is not
    /// inside the file (or the file shrank under us).
    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count >= 0 else { throw CheckpointFormatError(path, "negative read length") }
        let (end, overflow) = offset.addingReportingOverflow(UInt64(count))
        guard !overflow, end <= size else {
            throw CheckpointFormatError(path, "truncated: needs bytes up to \(offset &+ UInt64(count)), file has \(size)")
        }
        if count == 0 { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        try buffer.withUnsafeMutableBytes { raw in
            while done < count {
                let n = pread(fd, raw.baseAddress! + done, count - done, off_t(offset + UInt64(done)))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CheckpointFormatError(path, "read failed: \(String(cString: strerror(errno)))")
                }
                if n == 0 {
                    throw CheckpointFormatError(path, "truncated: file ended at \(offset + UInt64(done)) while reading")
                }
                done += n
            }
        }
        return buffer
    }
}

/// Little-endian field access on a byte array; every read is bounds-checked.
struct ByteCursor {
    let bytes: [UInt8]
    var position: Int = 0

    init(_ bytes: [UInt8], at position: Int = 0) { self.bytes = bytes; self.position = position }

    var remaining: Int { bytes.count - position }

    mutating func u8() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func le<T: FixedWidthInteger>(_: T.Type) -> T? {
        let n = MemoryLayout<T>.size
        guard remaining >= n else { return nil }
        var value: T = 0
        for i in 0..<n { value |= T(truncatingIfNeeded: bytes[position + i]) << (8 * i) }
        position += n
        return value
    }

    mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, remaining >= n else { return nil }
        defer { position += n }
        return bytes[position..<(position + n)]
    }
}

/// One problem with one checkpoint file, said in a sentence that names the file.
public struct CheckpointFormatError: Error, Sendable, CustomStringConvertible, Equatable {
    public let path: String
    public let problem: String

    public init(_ path: String, _ problem: String) { self.path = path; self.problem = problem }

    public var description: String { "\(path): \(problem)" }
}

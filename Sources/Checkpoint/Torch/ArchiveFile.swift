/// A file with its size fixed at open, read by explicit ranges that are checked against that
/// size before any read (hostile offsets never reach pread). Reads go through ReadOnlyFile:
/// pread, not mmap, since a checkpoint may still be rewritten under us.
final class ArchiveFile {
    let path: String
    let size: UInt64
    private let file: ReadOnlyFile

    /// Only regular files, opened without blocking (ReadOnlyFile): a FIFO planted under a
    /// companion file's name must not hang the reader.
    init(path: String) throws {
        file = try ReadOnlyFile(path)
        size = try file.size()
        self.path = path
    }

    /// Exactly `count` bytes at `offset`, or `.truncated` when the range is not inside the file.
    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count >= 0 else { throw CheckpointError.corrupt(path, "negative read length") }
        let (end, overflow) = offset.addingReportingOverflow(UInt64(count))
        guard !overflow, end <= size else {
            throw CheckpointError.truncated(path: path, detail: "needs bytes up to \(overflow ? "past 2^64" : String(end)), the file has \(size)")
        }
        return count == 0 ? [] : try file.read(count: count, at: offset)
    }
}

extension CheckpointError {
    /// Bytes that break the format's rules (a corrupt zip directory, a malformed pickle or header).
    static func corrupt(_ path: String, _ detail: String) -> CheckpointError { .invalidHeader(path: path, detail: detail) }
    /// A whole file wwmon will not read: refused pickle content, compressed entries, other formats.
    static func refused(_ path: String, _ detail: String) -> CheckpointError { .unsupportedFormat(path: path, detail: detail) }
}

/// Little-endian field access on a byte array; every read is bounds-checked.
struct ByteCursor {
    let bytes: [UInt8]
    var position: Int = 0

    init(_ bytes: [UInt8], at position: Int = 0) { self.bytes = bytes; self.position = position }

    var remaining: Int { bytes.count - position }

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

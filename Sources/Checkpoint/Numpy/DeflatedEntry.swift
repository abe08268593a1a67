import CZlib

/// A DEFLATE-compressed `.npz` member (`np.savez_compressed`). Its bytes exist only after
/// inflating, so a `TensorRef` to it carries this instead of a file offset, and the reader
/// inflates the member — one at a time, when its layer is computed — into the tensor's own
/// buffer, never to disk and never the whole archive.
///
/// zlib directly (Debian's zlib1g-dev, a system library like LAPACKE) rather than compress-nio
/// or ZIPFoundation: raw-DEFLATE inflation of one member is a loop around `inflate()`, while
/// compress-nio would bring swift-nio's buffers into the Foundation-only Checkpoint module and
/// ZIPFoundation a second zip parser beside the readers' own (Sources/Checkpoint/Torch/ZipArchive.swift).
public struct DeflatedEntry: Sendable, Hashable {
    /// Member name in the archive (for messages).
    public var member: String
    /// Offset of the compressed bytes in the file, and their count.
    public var dataOffset: UInt64
    public var compressedSize: UInt64
    /// Uncompressed member size from the zip directory: .npy header + array bytes.
    public var size: UInt64
    /// Bytes of .npy header before element 0 in the uncompressed member.
    public var dataStart: UInt64

    /// Inflates the member from its start and hands consecutive uncompressed chunks to `body`
    /// until `body` returns false or the member ends. More output than the directory's size,
    /// a stream that ends early, or corrupt data is an error naming the file and member:
    /// the declared size is the bound, as the other readers bound reads by their headers.
    func inflate(path: String, chunk: Int = 1 << 20,
                 _ body: (UnsafeRawBufferPointer) throws -> Bool) throws {
        let file = try ReadOnlyFile(path)
        let fileSize = try file.size()
        let (end, o) = dataOffset.addingReportingOverflow(compressedSize)
        guard !o, end <= fileSize else {
            throw CheckpointError.truncated(path: path,
                detail: "compressed member '\(member)' needs bytes \(dataOffset)..<\(end), file has \(fileSize)")
        }
        func corrupt(_ what: String) -> CheckpointError {
            .invalidHeader(path: path, detail: "compressed member '\(member)': \(what)")
        }
        var stream = z_stream()
        guard czlib_inflate_init_raw(&stream) == Z_OK else { throw corrupt("zlib could not start inflating") }
        defer { inflateEnd(&stream) }
        let inBuf = UnsafeMutableRawBufferPointer.allocate(byteCount: min(chunk, max(1, Int(compressedSize))), alignment: 16)
        defer { inBuf.deallocate() }
        let outBuf = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { outBuf.deallocate() }
        var readIn: UInt64 = 0, produced: UInt64 = 0
        var finished = false
        while !finished {
            if stream.avail_in == 0 && readIn < compressedSize {
                let n = Int(min(UInt64(inBuf.count), compressedSize - readIn))
                let part = UnsafeMutableRawBufferPointer(rebasing: inBuf[0..<n])
                try file.read(into: part, at: dataOffset + readIn)
                readIn += UInt64(n)
                stream.next_in = part.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(n)
            }
            stream.next_out = outBuf.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(outBuf.count)
            let rc = CZlib.inflate(&stream, Z_NO_FLUSH)
            let got = outBuf.count - Int(stream.avail_out)
            switch rc {
            case Z_STREAM_END: finished = true
            case Z_OK: break
            case Z_BUF_ERROR where got == 0:
                throw CheckpointError.truncated(path: path, detail: "compressed member '\(member)' ends before its data does")
            case Z_BUF_ERROR: break
            default: throw corrupt("corrupt DEFLATE data (zlib \(rc))")
            }
            produced += UInt64(got)
            guard produced <= size else {
                throw corrupt("inflates to more than the \(size) bytes the zip directory declares")
            }
            if got > 0, try !body(UnsafeRawBufferPointer(rebasing: outBuf[0..<got])) { return }
            if !finished && stream.avail_in == 0 && readIn >= compressedSize && got == 0 {
                throw CheckpointError.truncated(path: path, detail: "compressed member '\(member)' ends before its data does")
            }
        }
        guard produced == size else {
            throw corrupt("inflates to \(produced) bytes, the zip directory declares \(size)")
        }
    }

    /// The first `count` uncompressed bytes (the .npy header).
    func prefix(path: String, count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        try inflate(path: path, chunk: max(4096, min(count, 1 << 16))) { part in
            out.append(contentsOf: part.prefix(count - out.count))
            return out.count < count
        }
        return out
    }

    /// The array's bytes (after the header), exactly `byteCount` of them, into `dest`.
    func readData(path: String, into dest: UnsafeMutableRawBufferPointer) throws {
        var skip = Int(dataStart), filled = 0
        try inflate(path: path) { part in
            var p = part
            if skip > 0 {
                let s = min(skip, p.count); skip -= s
                p = UnsafeRawBufferPointer(rebasing: p[s...])
            }
            let n = min(p.count, dest.count - filled)
            if n > 0 {
                UnsafeMutableRawBufferPointer(rebasing: dest[filled..<filled + n]).copyMemory(from: UnsafeRawBufferPointer(rebasing: p[0..<n]))
                filled += n
            }
            return true
        }
        guard filled == dest.count else {
            throw CheckpointError.truncated(path: path, detail: "compressed member '\(member)' holds \(filled) of the array's \(dest.count) bytes")
        }
    }
}

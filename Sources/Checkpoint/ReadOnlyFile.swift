#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened read-only and read with pread(2).
///
/// Not mmap: a checkpoint may still be written or truncated in place (torch.save O_TRUNC,
/// safetensors <= 0.7), and touching a mapped page past a new end raises SIGBUS, which Swift
/// cannot recover from. pread instead reports a short read, which becomes a clear error.
final class ReadOnlyFile {
    let path: String
    private let fd: Int32

    /// `regularOnly`: opened with O_NONBLOCK (opening a FIFO must not wait for a writer) and
    /// refused unless fstat says it is a regular file.
    init(_ path: String, regularOnly: Bool = false) throws {
        self.path = path
        var fd: Int32
        let flags = O_RDONLY | O_CLOEXEC | (regularOnly ? O_NONBLOCK : 0)
        repeat { fd = open(path, flags) } while fd < 0 && errno == EINTR
        if fd < 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw CheckpointError.notFound(path: path) }
            throw CheckpointError.io(path: path, operation: "open", errno: e)
        }
        self.fd = fd
        if regularOnly {
            var st = stat()
            guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                // self is whole here, so deinit closes fd.
                throw CheckpointError.unsupportedFormat(path: path, detail: "not a regular file")
            }
        }
    }

    deinit { close(fd) }

    /// Current size in bytes (re-read on every call: the file may be growing or shrinking).
    func size() throws -> UInt64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CheckpointError.io(path: path, operation: "fstat", errno: errno) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw CheckpointError.unsupportedFormat(path: path, detail: "is a directory, expected a file")
        }
        return UInt64(st.st_size)
    }

    /// Fills `buffer` with the bytes at `offset`; a file that ends early is reported as
    /// truncated (it shrank after its header was validated, or is cut off).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws {
        var done = 0
        while done < buffer.count {
            let want = buffer.count - done
            let n = pread(fd, buffer.baseAddress! + done, want, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw CheckpointError.io(path: path, operation: "pread", errno: errno)
            }
            if n == 0 {
                throw CheckpointError.truncated(path: path, detail: "file ended at byte \(offset + UInt64(done)) while "
                    + "reading \(buffer.count) bytes at offset \(offset)")
            }
            done += n
        }
    }

    /// Reads `count` bytes at `offset` into a new array (small reads: headers, magic bytes).
    func read(count: Int, at offset: UInt64) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { (buf) throws in
            try read(into: buf, at: offset)
        }
        return bytes
    }
}

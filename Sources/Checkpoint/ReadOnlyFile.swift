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

    /// Opens `path` only if it is a regular file. O_NONBLOCK makes open(2) return at once on a
    /// FIFO (a plain open would wait for a writer forever, freezing whoever asked), and fstat on
    /// the opened descriptor (not a stat before it, which a rename could race) refuses FIFOs,
    /// sockets, devices and directories with an error naming the file. O_NONBLOCK has no effect
    /// on reads of regular files, so it stays set.
    init(_ path: String) throws {
        self.path = path
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) } while fd < 0 && errno == EINTR
        if fd < 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw CheckpointError.notFound(path: path) }
            throw CheckpointError.io(path: path, operation: "open", errno: e)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw CheckpointError.io(path: path, operation: "fstat", errno: e)
        }
        let kind = st.st_mode & S_IFMT
        guard kind == S_IFREG else {
            close(fd)
            throw CheckpointError.unsupportedFormat(path: path, detail: "is \(Self.describe(kind)), expected a regular file")
        }
        self.fd = fd
    }

    static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "not a regular file"
        }
    }

    deinit { close(fd) }

    /// Current size in bytes (re-read on every call: the file may be growing or shrinking).
    func size() throws -> UInt64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CheckpointError.io(path: path, operation: "fstat", errno: errno) }
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

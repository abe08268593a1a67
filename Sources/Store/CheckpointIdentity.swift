#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// What makes one checkpoint's bytes "the same as before" without reading them: path, size,
/// modification time, inode and device. A file rewritten in place changes size or mtime (or
/// inode when replaced by rename), so it gets a new identity and becomes a new version.
public struct CheckpointIdentity: Sendable, Hashable, Codable {
    public var path: String
    public var size: Int64
    public var mtimeNs: Int64
    public var inode: UInt64
    public var device: UInt64

    enum CodingKeys: String, CodingKey {
        case path, size, mtimeNs = "mtime_ns", inode, device
    }

    public init(path: String, size: Int64, mtimeNs: Int64, inode: UInt64, device: UInt64) {
        self.path = path; self.size = size; self.mtimeNs = mtimeNs
        self.inode = inode; self.device = device
    }

    /// The identity of a checkpoint file, or of a checkpoint directory (HF `checkpoint-N/`,
    /// sharded files): for a directory, size is the total of the regular files below it and
    /// mtime the newest of them, so rewriting any shard makes a new identity.
    public static func of(path: String) throws -> CheckpointIdentity {
        let top = try Stat(path)
        guard top.isDirectory else {
            return CheckpointIdentity(path: path, size: top.size, mtimeNs: top.mtimeNs,
                                      inode: top.inode, device: top.device)
        }
        var size: Int64 = 0
        var newest = top.mtimeNs
        let base = URL(fileURLWithPath: path)
        guard let walker = FileManager.default.enumerator(atPath: path) else {
            throw StoreError.unreadableCheckpoint(path: path, reason: "the directory cannot be listed")
        }
        for case let relative as String in walker {
            // Files may vanish while a trainer rotates checkpoints; skip them, the watcher
            // will report the checkpoint again if it is still there.
            guard let s = try? Stat(base.appendingPathComponent(relative).path), !s.isDirectory else { continue }
            size += s.size
            newest = max(newest, s.mtimeNs)
        }
        return CheckpointIdentity(path: path, size: size, mtimeNs: newest,
                                  inode: top.inode, device: top.device)
    }
}

/// lstat-free `stat(2)` (symlinks followed: a `last.ckpt` symlink names its target's bytes).
struct Stat {
    var size: Int64, mtimeNs: Int64, inode: UInt64, device: UInt64, isDirectory: Bool

    init(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            throw StoreError.unreadableCheckpoint(path: path, reason: reason)
        }
        size = Int64(st.st_size)
        mtimeNs = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        inode = UInt64(st.st_ino)
        device = UInt64(st.st_dev)
        isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Checkpoint
import Foundation

/// size, mtime, inode and device of one file, by `stat(2)`: symlinks are followed, so a
/// Lightning `last.ckpt` link is stamped with the bytes it names. The one file stamp of wwmon:
/// the daemon's "unchanged since" and the store's "recorded before" are both made of these.
public struct FileStamp: Sendable, Hashable, Codable {
    public var path: String
    public var size: Int64
    public var mtimeNs: Int64
    public var inode: UInt64
    public var device: UInt64

    enum CodingKeys: String, CodingKey { case path, size, mtimeNs = "mtime_ns", inode, device }

    public init(path: String, size: Int64, mtimeNs: Int64, inode: UInt64, device: UInt64) {
        self.path = path; self.size = size; self.mtimeNs = mtimeNs; self.inode = inode; self.device = device
    }

    /// Nil when the path does not exist (or is a dangling link).
    public static func of(_ path: String) -> FileStamp? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileStamp(path: path, size: Int64(st.st_size),
                         mtimeNs: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                         inode: UInt64(st.st_ino), device: UInt64(st.st_dev))
    }

    var isDirectory: Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
}

/// Every file of a checkpoint, stamped at one moment: equal stamps mean nothing was written in
/// between (what the daemon's settle time waits for). Companion files count here, so a
/// checkpoint is not read while its `trainer_state.json` is still being written.
public struct FileStamps: Sendable, Hashable, Codable {
    public var files: [FileStamp]
    public init(files: [FileStamp]) { self.files = files.sorted { $0.path < $1.path } }
    public var newestMtimeNs: Int64 { files.map(\.mtimeNs).max() ?? 0 }

    /// Stamps of the given files (those that exist).
    public static func of(_ paths: [String]) -> FileStamps { FileStamps(files: paths.compactMap(FileStamp.of)) }
}

/// What makes a checkpoint "the one recorded before": its path and its **weight files** (size,
/// newest mtime, and the first weight file's inode and device), decided here and nowhere else.
/// Files the frameworks write beside the weights (`optimizer.pt`, `trainer_state.json`;
/// `CheckpointFileRole`) are not part of it: arriving late, they complete the same point
/// instead of making a second one. A weight file rewritten in place changes size or mtime (or
/// inode when replaced by rename), so it is a new identity and the path's next version.
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

    /// The identity of the checkpoint at `path` (a file, or a folder) from stamps of its files:
    /// weight and index files only. A single-file checkpoint is its own weights, whatever its name.
    public init(path: String, stamps: FileStamps) {
        let weights = stamps.files.filter { $0.path == path || CheckpointFileRole.of(fileName: lastComponent($0.path)) != .companion }
        self.init(path: path, size: weights.reduce(0) { $0 + $1.size },
                  mtimeNs: weights.map(\.mtimeNs).max() ?? 0,
                  inode: weights.first?.inode ?? 0, device: weights.first?.device ?? 0)
    }

    /// Stamps the checkpoint at `path` now: the file itself, or every regular file below a
    /// folder (HF `checkpoint-N/`, sharded files).
    public static func of(path: String) throws -> CheckpointIdentity {
        guard let top = FileStamp.of(path) else {
            throw StoreError.unreadableCheckpoint(path: path, reason: String(cString: strerror(errno)))
        }
        guard top.isDirectory else { return CheckpointIdentity(path: path, stamps: FileStamps(files: [top])) }
        guard let walker = FileManager.default.enumerator(atPath: path) else {
            throw StoreError.unreadableCheckpoint(path: path, reason: "the directory cannot be listed")
        }
        var files: [FileStamp] = []
        for case let relative as String in walker {
            // Files may vanish while a trainer rotates checkpoints; skip them, the watcher
            // will report the checkpoint again if it is still there.
            guard let s = FileStamp.of(path + "/" + relative), !s.isDirectory else { continue }
            files.append(s)
        }
        return CheckpointIdentity(path: path, stamps: FileStamps(files: files))
    }
}

func lastComponent(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
}

import Checkpoint
import Foundation
import Glibc

/// size, mtime, inode and permission bits of one file: what "unchanged" means.
public struct FileStamp: Sendable, Hashable, Codable {
    public var path: String
    public var size: UInt64
    public var mtimeNanos: Int64
    public var inode: UInt64
    /// Permission bits: a chmod that makes an unreadable checkpoint readable is a change worth
    /// looking again for (issue 10, point 6).
    public var mode: UInt32

    public init(path: String, size: UInt64, mtimeNanos: Int64, inode: UInt64, mode: UInt32 = 0) {
        self.path = path; self.size = size; self.mtimeNanos = mtimeNanos; self.inode = inode; self.mode = mode
    }

    /// lstat of a path; nil when it does not exist.
    public static func of(_ path: String) -> FileStamp? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return FileStamp(path: path, size: UInt64(st.st_size),
                         mtimeNanos: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                         inode: UInt64(st.st_ino), mode: UInt32(st.st_mode & 0o7777))
    }
}

/// Every file of a checkpoint, stamped; equal fingerprints mean nothing was written in between.
public struct Fingerprint: Sendable, Hashable, Codable {
    public var files: [FileStamp]
    public init(files: [FileStamp]) { self.files = files.sorted { $0.path < $1.path } }
    public var totalSize: UInt64 { files.reduce(0) { $0 + $1.size } }
    public var newestMtimeNanos: Int64 { files.map(\.mtimeNanos).max() ?? 0 }
}

/// Something that may be a checkpoint: a weight file, a shard index, or a checkpoint folder.
public struct CheckpointCandidate: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case file, shardIndex = "shard-index", directory }
    public var path: String
    public var kind: Kind
    public var run: String
    /// The configured root this run was found under.
    public var root: String
    /// Files whose bytes make the checkpoint (for a folder: every file in it).
    public var files: [String]
    /// Step/epoch from the file or folder name, if it holds any.
    public var nameHint: StepHint?

    public init(path: String, kind: Kind, run: String, root: String, files: [String], nameHint: StepHint?) {
        self.path = path; self.kind = kind; self.run = run; self.root = root; self.files = files
        self.nameHint = nameHint
    }

    /// Stamps every file now; nil if the checkpoint's path is gone.
    public func fingerprint() -> Fingerprint? {
        guard access(path, F_OK) == 0 else { return nil }
        return Fingerprint(files: files.compactMap(FileStamp.of))
    }

    /// What the analyzer and the store are given: the checkpoint's file or folder (a shard
    /// index stands for the folder holding it, which the readers open as one checkpoint).
    public var analysisPath: String {
        kind == .shardIndex ? (path as NSString).deletingLastPathComponent : path
    }

    /// The format-level check (formats.md §4.2): the layout's own rules for folders
    /// (trainer_state.json written, DeepSpeed `latest`), then the readers' `Completeness`.
    public func completeness() -> FormatState {
        guard access(path, F_OK) == 0 else { return .gone }
        if kind == .directory {
            let layout = CheckpointLayout.directoryCompleteness(self)
            guard layout == .whole else { return layout }
        }
        return FormatCheck.status(analysisPath)
    }
}

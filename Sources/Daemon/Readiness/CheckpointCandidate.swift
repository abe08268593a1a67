import Checkpoint
import Foundation
import Glibc
import Store

/// Something that may be a checkpoint: a weight file, a shard index, or a checkpoint folder.
public struct CheckpointCandidate: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case file, shardIndex = "shard-index", directory }
    public var path: String
    public var kind: Kind
    public var run: String
    /// The configured root this run was found under.
    public var root: String
    /// Files whose bytes make the checkpoint (for a folder: every file in it, companions
    /// included, so it is not read while they are still being written).
    public var files: [String]

    public init(path: String, kind: Kind, run: String, root: String, files: [String]) {
        self.path = path; self.kind = kind; self.run = run; self.root = root; self.files = files
    }

    /// The checkpoint at `path` given by hand (`wwmon ingest`): a file, or a folder with every
    /// file in it, as the daemon would have found it.
    public static func single(path: String, run: String, root: String?) -> CheckpointCandidate {
        var st = stat()
        let isDir = stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
        return CheckpointCandidate(path: path, kind: isDir ? .directory : .file, run: run,
                                   root: root ?? "",
                                   files: isDir ? CheckpointLayout.allFiles(path, depth: 2) : [path])
    }

    /// Stamps every file now; nil if the checkpoint's path is gone.
    public func stamps() -> FileStamps? {
        guard access(path, F_OK) == 0 else { return nil }
        return FileStamps.of(files)
    }

    /// The store's identity of the checkpoint these stamps describe (its weight files).
    public func identity(_ stamps: FileStamps) -> CheckpointIdentity {
        CheckpointIdentity(path: analysisPath, stamps: stamps)
    }

    /// The step the name suggests, by the readers' `StepParser`: only to order a backlog
    /// (the recorded step is the readers' decision, made when the checkpoint is opened).
    var nameStep: Int? { StepParser.parse(name: lastPathComponent(path)).step }

    /// What the analyzer and the store are given: the checkpoint's file or folder (a shard
    /// index stands for the folder holding it, which the readers open as one checkpoint).
    public var analysisPath: String {
        kind == .shardIndex ? (path as NSString).deletingLastPathComponent : path
    }

    /// The format-level check (formats.md §4.2): the layout's own rules for folders
    /// (trainer_state.json written, DeepSpeed `latest`), then the readers' `Completeness`.
    public func completeness() -> FormatState { open().state }

    /// The format-level check by opening the checkpoint with the readers, keeping what they
    /// read: the analysis then starts from these contents instead of opening it a second time
    /// (the scheduler checks the stamps are unchanged before using them).
    public func open() -> (state: FormatState, opened: OpenedCheckpoint?) {
        guard access(path, F_OK) == 0 else { return (.gone, nil) }
        if kind == .directory {
            let layout = CheckpointLayout.directoryCompleteness(self)
            guard layout == .whole else { return (layout, nil) }
        }
        return FormatCheck.open(analysisPath)
    }
}

/// A checkpoint the readers opened when its readiness was checked (headers and metadata, no
/// tensor bytes). Carried with the job; not part of its identity (equal and hashed as nothing).
public struct OpenedCheckpoint: Sendable, Hashable {
    public var contents: CheckpointContents
    public init(_ contents: CheckpointContents) { self.contents = contents }
    public static func == (a: Self, b: Self) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}

/// The optimizer and scheduler files frameworks save beside the weights (HF `optimizer.pt`,
/// `scheduler.pt`; accelerate `optimizer.bin`, `scheduler.bin`), read only for their step
/// counters. Bounded: regular files only (opened non-blocking, so a FIFO under the name cannot
/// hang the reader), and only the central directory, the pickle (capped) and the few bytes of a
/// 0-dim `step` tensor are read, never the moment buffers.
enum CompanionFiles {
    static let optimizerNames = ["optimizer.pt", "optimizer.bin"]
    static let schedulerNames = ["scheduler.pt", "scheduler.bin"]
    /// An optimizer pickle holds a few hundred bytes per parameter tensor; 16 MB covers models far
    /// larger than a companion read should ever stall the daemon for.
    static let maxPickleBytes = 16 << 20

    static func optimizerStep(dir: String) -> Int? {
        for name in optimizerNames {
            if let step = read(FileSystem.join(dir, name), { $0.optimizerStep($1) }) { return step }
        }
        return nil
    }

    static func schedulerStep(dir: String) -> Int? {
        for name in schedulerNames {
            if let step = read(FileSystem.join(dir, name), { $0.schedulerStep($1) }) { return step }
        }
        return nil
    }

    /// Applies `get` to the file's root; nil when the file is absent, not regular, unreadable or
    /// still being written (the next source decides).
    private static func read(_ path: String, _ get: (PickleProgress, PickleValue) -> Int?) -> Int? {
        guard let file = try? ArchiveFile(path: path),
              let archive = try? TorchArchive(file: file, maxPickleBytes: maxPickleBytes) else { return nil }
        return get(PickleProgress(arena: archive.pickle.arena, scalar: archive.scalar), archive.pickle.root)
    }
}

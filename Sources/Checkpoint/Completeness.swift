/// Format-level completeness (spec formats.md §4.2): is a checkpoint whole on disk, as far as its
/// own bytes can tell? The daemon combines this with a quiet period before reading.
public enum Completeness {
    public enum Status: Sendable, Equatable {
        case complete
        /// Not (yet) whole: truncated, a shard missing, a header that does not parse, trailing
        /// bytes. The error says which; the file may still be being written.
        case incomplete(CheckpointError)
    }

    /// Checks `path` by reading every header and comparing every size, without reading tensors.
    /// Throws only when the answer cannot be given: the path does not exist (`.notFound`: e.g.
    /// rotated away), is in a format this build does not read (`.unsupportedFormat`), is whole
    /// but holds no weights (`.noWeights`: optimizer.pt, training_args.bin, ...), or an
    /// operating-system call failed (`.io`).
    public static func status(_ path: String) throws -> Status {
        do {
            _ = try CheckpointReader.open(path)
            return .complete
        } catch let e as CheckpointError {
            switch e {
            case .notFound(let p) where FileSystem.absolute(path) == p:
                throw e
            case .notFound:
                return .incomplete(e)  // a file the checkpoint needs is not there (yet)
            case .unsupportedFormat, .io, .noWeights:
                throw e
            default:
                return .incomplete(e)
            }
        }
    }

    /// True when `status(path)` is `.complete`.
    public static func check(_ path: String) throws -> Bool {
        try status(path) == .complete
    }
}

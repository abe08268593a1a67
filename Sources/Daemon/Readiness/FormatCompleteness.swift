import Checkpoint
import Foundation
import Glibc

/// Whether a checkpoint's bytes are whole by its format's own rules (formats.md §4.2).
public enum FormatState: Sendable, Equatable {
    case whole
    /// Not whole yet (still being written, or truncated for good): the reason names the file.
    case incomplete(String)
    /// A file vanished while being checked (rotation).
    case gone
}

/// The format-level check, asked of the readers (`Checkpoint.Completeness`): the daemon has no
/// format parser of its own, so "whole" means exactly "the readers can open it".
enum FormatCheck {
    /// A file or a checkpoint folder, judged by opening it, the opened contents kept for the
    /// analysis. The rules are `Completeness.status`'s (exactly "the readers can open it"),
    /// applied to this one open.
    static func open(_ path: String) -> (state: FormatState, opened: OpenedCheckpoint?) {
        do {
            return (.whole, OpenedCheckpoint(try CheckpointReader.open(path)))
        } catch let e as CheckpointError {
            switch e {
            // The checkpoint itself gone (rotation), or a file it needs not there (yet).
            case .notFound: return access(path, F_OK) == 0 ? (.incomplete("\(e)"), nil) : (.gone, nil)
            // Not a format wwmon reads (legacy torch, HDF5, ...) or an OS error: whole as far
            // as anyone can tell; the analysis records the reason as this checkpoint's error.
            case .unsupportedFormat, .io: return (.whole, nil)
            // Well-formed but no model weights (an optimizer state under a weight-like name):
            // nothing to wait for; the job skips it (AnalysisScheduler.process).
            case .noWeights: return (.whole, nil)
            default: return (.incomplete("\(e)"), nil)
            }
        } catch {
            return (.whole, nil)
        }
    }

    /// Shard files named by an index (relative names), for grouping.
    static func shardNames(ofIndex path: String) -> Set<String> {
        guard let bytes = RegularFile.contents(path), case let data = Data(bytes),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = obj["weight_map"] as? [String: String] else { return [] }
        return Set(map.values)
    }
}

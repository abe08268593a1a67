import Analysis
import Foundation
import Metrics

/// `wwmon layers RUN --json`, `wwmon analyze --format json` and `GET /api/v1/runs/RUN/layers`:
/// `{"layers": [...], "summary": {...}, "checkpoint": {...}}` with WeightWatcher's column names.
/// Keys sorted like every other machine output: the checkpoint's `aliases` and `tensor_hashes`
/// are dictionaries, whose order otherwise changes from one process to the next.
public enum LayersView {
    public static func json(_ report: CheckpointReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}

import Analysis
import Foundation
import Metrics

/// `wwmon layers RUN --json`, `wwmon analyze --format json` and `GET /api/v1/runs/RUN/layers`:
/// `{"layers": [...], "summary": {...}, "checkpoint": {...}}` with WeightWatcher's column names.
public enum LayersView {
    public static func json(_ report: CheckpointReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}

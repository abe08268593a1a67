import Foundation
import GRDB

/// One metric for every layer of a run at chosen checkpoints (the dashboard's heatmap).
public struct LayerMatrix: Sendable {
    /// Layer names in order of first appearance.
    public var layers: [String]
    /// The checkpoints asked for, in the order given.
    public var checkpointIDs: [Int64]
    /// values[layer][checkpoint], NaN where a layer has no finite value (failed fit, absent).
    public var values: [[Double]]
}

extension HistoryStore {
    /// `metric` of every layer at each of `checkpointIDs` — one indexed lookup per checkpoint,
    /// so a heatmap of sampled columns costs its cells, not the run's length.
    public func layerMatrix(run: String, metric: LayerMetric, checkpointIDs: [Int64]) throws -> LayerMatrix {
        try reading { db in
            let rid = try runID(db, run)
            let layerRows = try Row.fetchAll(db, sql: "SELECT id, name FROM layers WHERE run_id = ? ORDER BY id", arguments: [rid])
            var index: [Int64: Int] = [:]
            for (i, r) in layerRows.enumerated() { index[r["id"]] = i }
            var values = [[Double]](repeating: [Double](repeating: .nan, count: checkpointIDs.count), count: layerRows.count)
            let stmt = try db.cachedStatement(sql: """
                SELECT layer_id, "\(metric.rawValue)" AS v, status FROM layer_metrics WHERE checkpoint_id = ?
                """)
            for (c, cid) in checkpointIDs.enumerated() {
                let rows = try Row.fetchCursor(stmt, arguments: [cid])
                while let row = try rows.next() {
                    guard let i = index[row["layer_id"]] else { continue }
                    let v: Double? = row["v"]
                    values[i][c] = (row["status"] as String) == "failed" ? .nan : (v ?? .nan)
                }
            }
            return LayerMatrix(layers: layerRows.map { $0["name"] }, checkpointIDs: checkpointIDs, values: values)
        }
    }
}

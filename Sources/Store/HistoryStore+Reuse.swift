import GRDB
import Metrics

extension HistoryStore {
    /// Metrics already computed for tensors with these content hashes (frozen layers, the same
    /// file seen again), so the daemon need not recompute them. Each hash maps to the rows of
    /// the newest checkpoint that had it (several rows for conv slices with pool = false).
    /// Callers must only reuse rows computed with the same analysis options.
    public func layerReports(forHashes hashes: some Collection<String>) throws -> [String: [LayerReport]] {
        guard !hashes.isEmpty else { return [:] }
        return try reading { db in
            var out: [String: [LayerReport]] = [:]
            let newest = try db.cachedStatement(sql: """
                SELECT max(checkpoint_id) FROM layer_metrics WHERE tensor_hash = ?
                """)
            let rows = try db.cachedStatement(sql: """
                SELECT \(LayerColumns.sqlList) FROM layer_metrics lm
                WHERE lm.tensor_hash = ? AND lm.checkpoint_id = ? ORDER BY lm.rowid
                """)
            for hash in Set(hashes) {
                guard let cid = try Int64.fetchOne(newest, arguments: [hash]) else { continue }
                out[hash] = try Row.fetchAll(rows, arguments: [hash, cid]).map(LayerColumns.decode)
            }
            return out
        }
    }
}

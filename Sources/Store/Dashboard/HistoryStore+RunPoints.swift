import Foundation
import GRDB
import Metrics

/// One checkpoint as the run page draws it: its summary means and training metrics.
public struct RunPoint: Sendable {
    public var id: Int64
    public var step: Int
    /// `ok`, `error`, or `vanished`.
    public var status: String
    /// nil for checkpoints that could not be analysed.
    public var summary: Summary?
    public var training: [String: Double]
}

extension HistoryStore {
    /// Every checkpoint of a run, oldest first, with only what the run page's charts need.
    /// Columns are read by position: at 5,000 checkpoints, `checkpoints(run:)`'s full records
    /// (by-name column lookups, identities, aliases) were most of the page's time.
    public func dashboardPoints(run: String) throws -> [RunPoint] {
        try reading { db in
            let rid = try runID(db, run)
            var out: [RunPoint] = []
            var index: [Int64: Int] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT c.id, c.step, c.status, s.checkpoint_id, s.log_norm, s.alpha, s.alpha_weighted,
                    s.log_alpha_norm, s.log_spectral_norm, s.stable_rank, s.layers_analyzed, s.layers_skipped,
                    s.layers_failed
                FROM checkpoints c LEFT JOIN summaries s ON s.checkpoint_id = c.id
                WHERE c.run_id = ? ORDER BY c.step, c.version
                """, arguments: [rid])
            while let r = try rows.next() {
                func d(_ i: Int) -> Double { (r[i] as Double?) ?? .nan }
                let summary: Summary? = (r[3] as Int64?) == nil ? nil : Summary(
                    logNorm: d(4), alpha: d(5), alphaWeighted: d(6), logAlphaNorm: d(7), logSpectralNorm: d(8),
                    stableRank: d(9), layersAnalyzed: r[10], layersSkipped: r[11], layersFailed: r[12])
                index[r[0]] = out.count
                out.append(RunPoint(id: r[0], step: r[1], status: r[2], summary: summary, training: [:]))
            }
            let training = try Row.fetchCursor(db, sql: """
                SELECT t.checkpoint_id, t.name, t.value FROM training_metrics t
                JOIN checkpoints c ON c.id = t.checkpoint_id WHERE c.run_id = ?
                """, arguments: [rid])
            while let r = try training.next() {
                if let i = index[r[0]] { out[i].training[r[1]] = (r[2] as Double?) ?? .nan }
            }
            return out
        }
    }
}

extension HistoryStore {
    /// The newest `count` checkpoints of a run (full records), oldest first.
    public func recentCheckpoints(run: String, count: Int) throws -> [CheckpointRecord] {
        try reading { db in
            let rid = try runID(db, run)
            return try Row.fetchAll(db, sql: Self.checkpointSelect
                + " WHERE c.run_id = ? ORDER BY c.step DESC, c.version DESC LIMIT ?", arguments: [rid, count])
                .map(Self.checkpointRecord).reversed()
        }
    }
}

import Foundation
import GRDB
import Metrics

/// A run's newest analysed checkpoint, as `/metrics` exports it.
public struct RunLatest: Sendable {
    public var run: String
    public var step: Int
    public var analyzedAt: Date
    public var summary: Summary
    /// (layer, alpha) of that checkpoint, in layer order; empty unless asked for.
    public var layerAlpha: [(String, Double)]
}

extension HistoryStore {
    /// Every run's newest analysed checkpoint with its summary (and per-layer alpha when
    /// `layers`), in two queries whatever the number of runs: a scrape must stay cheap.
    public func latestPerRun(layers: Bool) throws -> [RunLatest] {
        try reading { db in
            let latest = """
                SELECT r.id AS run_id, r.name AS run, c.id AS cid, c.step, c.analyzed_at FROM runs r
                JOIN checkpoints c ON c.id = (SELECT id FROM checkpoints WHERE run_id = r.id AND status = 'ok'
                                              ORDER BY step DESC, version DESC LIMIT 1)
                """
            var out: [RunLatest] = []
            var byCheckpoint: [Int64: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                WITH latest AS (\(latest))
                SELECT latest.*, s.log_norm, s.alpha, s.alpha_weighted, s.log_alpha_norm, s.log_spectral_norm,
                       s.stable_rank, s.layers_analyzed, s.layers_skipped, s.layers_failed
                FROM latest JOIN summaries s ON s.checkpoint_id = latest.cid ORDER BY latest.run
                """) {
                func d(_ k: String) -> Double { (row[k] as Double?) ?? .nan }
                let summary = Summary(logNorm: d("log_norm"), alpha: d("alpha"), alphaWeighted: d("alpha_weighted"),
                                      logAlphaNorm: d("log_alpha_norm"), logSpectralNorm: d("log_spectral_norm"),
                                      stableRank: d("stable_rank"), layersAnalyzed: row["layers_analyzed"],
                                      layersSkipped: row["layers_skipped"], layersFailed: row["layers_failed"])
                byCheckpoint[row["cid"]] = out.count
                out.append(RunLatest(run: row["run"], step: row["step"],
                                     analyzedAt: Date(timeIntervalSince1970: row["analyzed_at"]),
                                     summary: summary, layerAlpha: []))
            }
            guard layers else { return out }
            let rows = try Row.fetchCursor(db, sql: """
                WITH latest AS (\(latest))
                SELECT lm.checkpoint_id AS cid, l.name, lm.alpha FROM latest
                JOIN layer_metrics lm ON lm.checkpoint_id = latest.cid JOIN layers l ON l.id = lm.layer_id
                ORDER BY lm.checkpoint_id, lm.rowid
                """)
            // By position: by-name lookups were most of a scrape's time at 20,000 layer rows.
            while let row = try rows.next() {
                guard let i = byCheckpoint[row[0]] else { continue }
                out[i].layerAlpha.append((row[1], (row[2] as Double?) ?? .nan))
            }
            return out
        }
    }
}

extension HistoryStore {
    /// Firing alerts per run (runs without any are absent), from the partial index.
    public func firingAlertCounts() throws -> [String: Int] {
        try reading { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT r.name, count(*) AS n FROM alerts a JOIN runs r ON r.id = a.run_id
                WHERE a.state = 'firing' GROUP BY r.id
                """) { out[row["name"]] = row["n"] }
            return out
        }
    }
}

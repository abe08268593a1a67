import Foundation
import GRDB
import Metrics

/// One layer's stored ESD at one checkpoint.
public struct StoredSpectrum: Sendable, Equatable {
    public var checkpointID: Int64
    public var step: Int
    /// λ ascending (float32, as the analyzer handed them out).
    public var eigenvalues: [Float]
}

extension HistoryStore {
    /// Writes the eigenvalues the analyzer handed out with `layers`, then thins the run's older
    /// spectra by `retention`. Rows reused from an earlier analysis of identical bytes (frozen
    /// layers) come without eigenvalues: they take the stored spectrum of that content, if one
    /// is still kept. Called inside `record`'s transaction, after the layer rows, so spectra and
    /// metrics commit together.
    static func insertSpectra(_ db: Database, runID: Int64, checkpointID: Int64, layers: [LayerReport],
                              retention: SpectrumRetention) throws {
        // (WW layer id, slice) names a row within one checkpoint; insertLayers chose its layer_id.
        var ids: [String: (layer: Int64, hash: String?)] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT ww_layer_id, slice_id, layer_id, tensor_hash FROM layer_metrics WHERE checkpoint_id = ?
            """, arguments: [checkpointID]) {
            ids["\(row["ww_layer_id"] as Int):\((row["slice_id"] as Int?) ?? -1)"] = (row["layer_id"], row["tensor_hash"])
        }
        let insert = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO layer_spectra (checkpoint_id, layer_id, count, codec, data) VALUES (?, ?, ?, ?, ?)
            """)
        let copy = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO layer_spectra (checkpoint_id, layer_id, count, codec, data)
            SELECT ?, ?, ls.count, ls.codec, ls.data FROM layer_metrics lm
            JOIN layer_spectra ls ON ls.checkpoint_id = lm.checkpoint_id AND ls.layer_id = lm.layer_id
            WHERE lm.tensor_hash = ? AND lm.checkpoint_id != ? ORDER BY lm.checkpoint_id DESC LIMIT 1
            """)
        for r in layers {
            guard let target = ids["\(r.layerID):\(r.sliceID ?? -1)"] else { continue }
            if let evals = r.eigenvalues {
                try insert.execute(arguments: [checkpointID, target.layer, evals.count, SpectrumCodec.name,
                                               Data(try SpectrumCodec.encode(evals))])
            } else if let hash = target.hash {
                try copy.execute(arguments: [checkpointID, target.layer, hash, checkpointID])
            }
        }
        try db.execute(sql: """
            DELETE FROM layer_spectra WHERE checkpoint_id IN (
                SELECT id FROM (
                    SELECT id, row_number() OVER (ORDER BY step, version, id) - 1 AS ord, count(*) OVER () AS n
                    FROM checkpoints WHERE run_id = ?)
                WHERE ord < n - ? AND ord % ? != 0)
            """, arguments: [runID, retention.keepLast, retention.every])
    }

    /// Whether this database has the spectra table (a store written by an older daemon has not).
    func hasSpectra(_ db: Database) throws -> Bool { try db.tableExists("layer_spectra") }

    /// Steps of a run's checkpoints that kept `layer`'s spectrum, ascending.
    public func spectrumSteps(run: String, layer: String) throws -> [Int] {
        try reading { db in
            let rid = try runID(db, run)
            let lid = try layerID(db, runID: rid, run: run, layer: layer)
            guard try hasSpectra(db) else { return [] }
            return try Int.fetchAll(db, sql: """
                SELECT c.step FROM layer_spectra ls JOIN checkpoints c ON c.id = ls.checkpoint_id
                WHERE ls.layer_id = ? ORDER BY c.step, c.version
                """, arguments: [lid])
        }
    }

    /// `layer`'s spectrum at `step` (newest version), or at the newest checkpoint that kept one
    /// when `step` is nil. Nil when none was kept; unknown runs and layers throw as elsewhere.
    public func spectrum(run: String, layer: String, step: Int?) throws -> StoredSpectrum? {
        try reading { db in
            let rid = try runID(db, run)
            let lid = try layerID(db, runID: rid, run: run, layer: layer)
            guard try hasSpectra(db) else { return nil }
            guard let row = try Row.fetchOne(db, sql: """
                SELECT c.id, c.step, ls.count, ls.codec, ls.data
                FROM layer_spectra ls JOIN checkpoints c ON c.id = ls.checkpoint_id
                WHERE ls.layer_id = ? AND (? IS NULL OR c.step = ?)
                ORDER BY c.step DESC, c.version DESC LIMIT 1
                """, arguments: [lid, step, step]) else { return nil }
            let codec: String = row["codec"]
            guard codec == SpectrumCodec.name else {
                throw StoreError.sqlite(path: path, message: "layer_spectra uses codec \(codec), which this wwmon cannot read")
            }
            let data: Data = row["data"]
            let values: [Float]
            do { values = try SpectrumCodec.decode([UInt8](data), count: row["count"]) } catch {
                throw StoreError.sqlite(path: path, message: "spectrum of layer \(layer) at step \(row["step"] as Int): \(error)")
            }
            return StoredSpectrum(checkpointID: row["id"], step: row["step"], eigenvalues: values)
        }
    }

    /// Bytes of stored spectra per checkpoint of `run` (the benchmark's cost figure).
    public func spectraBytes(run: String) throws -> [Int: Int] {
        try reading { db in
            let rid = try runID(db, run)
            guard try hasSpectra(db) else { return [:] }
            var out: [Int: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT c.step, sum(length(ls.data)) AS bytes FROM layer_spectra ls
                JOIN checkpoints c ON c.id = ls.checkpoint_id WHERE c.run_id = ? GROUP BY c.id
                """, arguments: [rid]) { out[row["step"]] = row["bytes"] }
            return out
        }
    }
}

import Analysis
import Foundation
import GRDB
import Metrics

public enum RecordOutcome: Sendable, Equatable {
    case inserted(checkpointID: Int64)
    /// This identity (same path, size, mtime, inode, device) was recorded before: nothing written.
    case duplicate
}

extension HistoryStore {
    /// Records one analysed checkpoint — its row, every layer row and the summary — in one
    /// transaction: a crash leaves all of it or none. Recording an identity twice is a no-op;
    /// new content at a recorded path becomes the next version of that path. With `spectra`,
    /// the layers' eigenvalues are kept too, thinned by that rule (`Spectra/`).
    public func record(run: String, root: String?, report: CheckpointReport,
                       identity: CheckpointIdentity, durationSeconds: Double,
                       analyzedAt: Date = Date(), spectra: SpectrumRetention? = nil) throws -> RecordOutcome {
        let info = report.checkpoint
        return try writing { db in
            guard try !Self.identityExists(db, identity) else { return .duplicate }
            let runID = try Self.upsertRun(db, name: run, root: root, at: analyzedAt)
            let aliases = info.aliases.isEmpty ? nil
                : String(decoding: try JSONEncoder.sorted.encode(info.aliases), as: UTF8.self)
            let id = try Self.insertCheckpoint(
                db, runID: runID, identity: identity, step: info.step, epoch: info.epoch,
                stepSource: info.stepSource, format: info.format, analyzedAt: analyzedAt,
                duration: durationSeconds, status: "ok", error: nil, aliases: aliases)
            try Self.insertLayers(db, runID: runID, checkpointID: id, layers: report.layers,
                                  hashes: info.tensorHashes)
            if let spectra {
                try Self.insertSpectra(db, runID: runID, checkpointID: id, layers: report.layers, retention: spectra)
            }
            let s = report.summary
            try db.execute(sql: """
                INSERT INTO summaries (checkpoint_id, log_norm, alpha, alpha_weighted, log_alpha_norm,
                    log_spectral_norm, stable_rank, layers_analyzed, layers_skipped, layers_failed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, LayerColumns.real(s.logNorm), LayerColumns.real(s.alpha),
                                 LayerColumns.real(s.alphaWeighted), LayerColumns.real(s.logAlphaNorm),
                                 LayerColumns.real(s.logSpectralNorm), LayerColumns.real(s.stableRank),
                                 s.layersAnalyzed, s.layersSkipped, s.layersFailed])
            return .inserted(checkpointID: id)
        }
    }

    /// Records a checkpoint that could not be analysed (unreadable, truncated, ...), so it is
    /// not retried forever and shows up in `checkpoints` with its reason.
    public func recordError(run: String, root: String?, path: String, step: Int?, epoch: Double?,
                            identity: CheckpointIdentity, error: String,
                            durationSeconds: Double = 0, analyzedAt: Date = Date()) throws -> RecordOutcome {
        try writing { db in
            guard try !Self.identityExists(db, identity) else { return .duplicate }
            let runID = try Self.upsertRun(db, name: run, root: root, at: analyzedAt)
            let id = try Self.insertCheckpoint(
                db, runID: runID, identity: identity, step: step, epoch: epoch,
                stepSource: step == nil ? nil : "user", format: nil, analyzedAt: analyzedAt,
                duration: durationSeconds, status: "error", error: error, aliases: nil)
            return .inserted(checkpointID: id)
        }
    }

    /// True when exactly this identity has been recorded (analysed or failed).
    public func isRecorded(_ identity: CheckpointIdentity) throws -> Bool {
        try reading { db in try Self.identityExists(db, identity) }
    }

    static func identityExists(_ db: Database, _ i: CheckpointIdentity) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM checkpoints WHERE path = ? AND file_size = ?
                AND file_mtime_ns = ? AND file_inode = ? AND file_device = ?)
            """, arguments: [i.path, i.size, i.mtimeNs, Int64(bitPattern: i.inode),
                             Int64(bitPattern: i.device)]) ?? false
    }

    static func upsertRun(_ db: Database, name: String, root: String?, at: Date) throws -> Int64 {
        try Int64.fetchOne(db, sql: """
            INSERT INTO runs (name, root, created_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET root = coalesce(excluded.root, runs.root)
            RETURNING id
            """, arguments: [name, root, at.timeIntervalSince1970])!
    }

    static func insertCheckpoint(_ db: Database, runID: Int64, identity i: CheckpointIdentity,
                                 step: Int?, epoch: Double?, stepSource: String?, format: String?,
                                 analyzedAt: Date, duration: Double, status: String,
                                 error: String?, aliases: String?) throws -> Int64 {
        let version = (try Int.fetchOne(db, sql: """
            SELECT max(version) FROM checkpoints WHERE run_id = ? AND path = ?
            """, arguments: [runID, i.path]) ?? 0) + 1
        // No step in the file or on the command line: number checkpoints in arrival order.
        var step = step
        var source = stepSource
        if step == nil {
            step = (try Int.fetchOne(db, sql: "SELECT max(step) FROM checkpoints WHERE run_id = ?",
                                     arguments: [runID])).map { $0 + 1 } ?? 0
            source = "arrival"
        }
        try db.execute(sql: """
            INSERT INTO checkpoints (run_id, path, version, step, epoch, step_source, format,
                file_size, file_mtime_ns, file_inode, file_device, analyzed_at, duration, status,
                error, aliases)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [runID, i.path, version, step, epoch, source ?? "user", format,
                             i.size, i.mtimeNs, Int64(bitPattern: i.inode),
                             Int64(bitPattern: i.device), analyzedAt.timeIntervalSince1970,
                             duration, status, error, aliases])
        return db.lastInsertedRowID
    }

    static func insertLayers(_ db: Database, runID: Int64, checkpointID: Int64,
                             layers: [LayerReport], hashes: [String: String]) throws {
        var ids = Dictionary(uniqueKeysWithValues: try Row.fetchAll(
            db, sql: "SELECT name, id FROM layers WHERE run_id = ?", arguments: [runID]
        ).map { ($0["name"] as String, $0["id"] as Int64) })
        let newLayer = try db.cachedStatement(sql: "INSERT INTO layers (run_id, name) VALUES (?, ?)")
        let placeholders = Array(repeating: "?", count: LayerColumns.names.count + 3).joined(separator: ", ")
        let insert = try db.cachedStatement(sql: """
            INSERT INTO layer_metrics (checkpoint_id, layer_id, tensor_hash, \(LayerColumns.insertList))
            VALUES (\(placeholders))
            """)
        var seen = Set<String>()
        for r in layers {
            // Two rows normalising to one name (say `module.fc` beside `fc`) stay apart.
            var key = LayerKey.of(r)
            var n = 2
            while !seen.insert(key).inserted { key = "\(LayerKey.of(r))~\(n)"; n += 1 }
            let layerID: Int64
            if let known = ids[key] { layerID = known } else {
                try newLayer.execute(arguments: [runID, key])
                layerID = db.lastInsertedRowID
                ids[key] = layerID
            }
            let hash = hashes[LayerKey.normalise(r.longname)] ?? hashes[r.longname] ?? hashes[r.name]
            var args: [(any DatabaseValueConvertible)?] = [checkpointID, layerID, hash]
            args += LayerColumns.arguments(r)
            try insert.execute(arguments: StatementArguments(args))
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]; return e
    }
}

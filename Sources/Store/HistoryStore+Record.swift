import Analysis
import Checkpoint
import Foundation
import GRDB
import Metrics

public enum RecordOutcome: Sendable, Equatable {
    case inserted(checkpointID: Int64)
    /// This identity (same path, size, mtime, inode, device) was recorded before: nothing written.
    case duplicate
    /// The file's tensors equal those of a recorded checkpoint of the run (Lightning's
    /// `last.ckpt` or its symlink, HF's final `save_model()`): recorded as another path of that
    /// point, no new row in the series.
    case alias(checkpointID: Int64, step: Int)
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
            if let (id, step) = try Self.sameTensors(db, runID: runID, hashes: info.tensorHashes) {
                try Self.insertAlias(db, checkpointID: id, identity: identity, runID: runID, at: analyzedAt)
                // The alias may know the point better (checkpoint-10/ after a final
                // model.safetensors numbered by arrival): the more trusted step wins.
                let better = try Self.complete(db, checkpointID: id, step: info.step, stepSource: info.stepSource,
                                               epoch: info.epoch, training: info.training, at: analyzedAt)
                return .alias(checkpointID: id, step: better?.step ?? step)
            }
            let aliases = info.aliases.isEmpty ? nil
                : String(decoding: try JSONEncoder.sorted.encode(info.aliases), as: UTF8.self)
            let id = try Self.insertCheckpoint(
                db, runID: runID, identity: identity, step: info.step, epoch: info.epoch,
                stepSource: info.stepSource, format: info.format, analyzedAt: analyzedAt,
                duration: durationSeconds, status: "ok", error: nil, aliases: aliases,
                options: info.options.isEmpty ? nil
                    : String(decoding: try JSONEncoder.sorted.encode(info.options), as: UTF8.self))
            try Self.insertLayers(db, runID: runID, checkpointID: id, layers: report.layers,
                                  hashes: info.tensorHashes, tag: info.seriesTag)
            try Self.saveTraining(db, checkpointID: id, info.training, source: .checkpoint, at: analyzedAt)
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
    /// `stepSource` says where `step` came from (`Checkpoint.StepSource`); nil step: arrival order.
    public func recordError(run: String, root: String?, path: String, step: Int?, epoch: Double?,
                            stepSource: String? = "user",
                            identity: CheckpointIdentity, error: String,
                            durationSeconds: Double = 0, analyzedAt: Date = Date()) throws -> RecordOutcome {
        try recordUnanalysed(run: run, root: root, status: "error", step: step, epoch: epoch,
                             stepSource: stepSource, identity: identity, message: error,
                             durationSeconds: durationSeconds, at: analyzedAt)
    }

    /// Records a save that was seen but deleted (rotated away) before it could be read, so
    /// `checkpoints RUN` accounts for every save: status `vanished`, no metrics.
    public func recordVanished(run: String, root: String?, step: Int?, epoch: Double?, stepSource: String?,
                               identity: CheckpointIdentity, at: Date = Date()) throws -> RecordOutcome {
        try recordUnanalysed(run: run, root: root, status: "vanished", step: step, epoch: epoch,
                             stepSource: stepSource, identity: identity,
                             message: "deleted before it could be analysed (rotated away by the trainer?)",
                             durationSeconds: 0, at: at)
    }

    private func recordUnanalysed(run: String, root: String?, status: String, step: Int?, epoch: Double?,
                                  stepSource: String?, identity: CheckpointIdentity, message: String,
                                  durationSeconds: Double, at: Date) throws -> RecordOutcome {
        try writing { db in
            guard try !Self.identityExists(db, identity) else { return .duplicate }
            let runID = try Self.upsertRun(db, name: run, root: root, at: at)
            let id = try Self.insertCheckpoint(
                db, runID: runID, identity: identity, step: step, epoch: epoch,
                stepSource: step == nil ? nil : (stepSource ?? "user"), format: nil, analyzedAt: at,
                duration: durationSeconds, status: status, error: message, aliases: nil)
            return .inserted(checkpointID: id)
        }
    }

    /// True when exactly this identity has been recorded (analysed or failed).
    public func isRecorded(_ identity: CheckpointIdentity) throws -> Bool {
        try reading { db in try Self.identityExists(db, identity) }
    }

    /// Recorded as a checkpoint row or as an alias of one.
    static func identityExists(_ db: Database, _ i: CheckpointIdentity) throws -> Bool {
        let args: StatementArguments = [i.path, i.size, i.mtimeNs, Int64(bitPattern: i.inode), Int64(bitPattern: i.device)]
        return try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM checkpoints WHERE path = ?1 AND file_size = ?2
                AND file_mtime_ns = ?3 AND file_inode = ?4 AND file_device = ?5)
            OR EXISTS (SELECT 1 FROM checkpoint_aliases WHERE path = ?1 AND file_size = ?2
                AND file_mtime_ns = ?3 AND file_inode = ?4 AND file_device = ?5)
            """, arguments: args) ?? false
    }

    /// The run's analysed checkpoint holding exactly these tensors (every content key equal,
    /// none more, none fewer), if any; the newest when several do. Content keys hash each
    /// tensor's bytes with its dtype and shape (`Analyzer.contentKey`), the keys layer reuse
    /// looks up in the `layer_metrics_hash` index. The rarest key is tried first: a checkpoint
    /// with any new tensor has a key seen nowhere, and the search stops there.
    static func sameTensors(_ db: Database, runID: Int64, hashes: [String: String]) throws -> (Int64, Int)? {
        let keys = Set(hashes.values)
        guard !keys.isEmpty else { return nil }
        let count = try db.cachedStatement(sql: "SELECT count(*) FROM layer_metrics WHERE tensor_hash = ?")
        var ranked: [(String, Int)] = []
        for k in keys {
            let n = try Int.fetchOne(count, arguments: [k]) ?? 0
            if n == 0 { return nil }
            ranked.append((k, n))
        }
        ranked.sort { $0.1 < $1.1 }
        let holders = try db.cachedStatement(sql: """
            SELECT DISTINCT lm.checkpoint_id FROM layer_metrics lm JOIN checkpoints c ON c.id = lm.checkpoint_id
            WHERE lm.tensor_hash = ? AND c.run_id = ? AND c.status = 'ok'
            """)
        var candidates: Set<Int64>?
        for (k, _) in ranked {
            let ids = Set(try Int64.fetchAll(holders, arguments: [k, runID]))
            candidates = candidates.map { $0.intersection(ids) } ?? ids
            if candidates!.isEmpty { return nil }
        }
        // Holding every key is not enough: the candidate must hold nothing else.
        let shape = try db.cachedStatement(sql: """
            SELECT count(DISTINCT tensor_hash), sum(tensor_hash IS NULL) FROM layer_metrics WHERE checkpoint_id = ?
            """)
        for id in (candidates ?? []).sorted(by: >) {
            guard let row = try Row.fetchOne(shape, arguments: [id]),
                  (row[0] as Int) == keys.count, (row[1] as Int? ?? 0) == 0 else { continue }
            let step = try Int.fetchOne(db, sql: "SELECT step FROM checkpoints WHERE id = ?", arguments: [id]) ?? 0
            return (id, step)
        }
        return nil
    }

    /// Records `i` as another path of checkpoint `checkpointID`. The point keeps the path whose
    /// name says its step (`epoch=2-step=12.ckpt`, `checkpoint-10/`): when the recorded path
    /// says none (`last.ckpt`, a final `model.safetensors`, analysed first in a backlog) and
    /// this one does, the two swap, so the series shows the framework's own name for the save.
    static func insertAlias(_ db: Database, checkpointID: Int64, identity i: CheckpointIdentity,
                            runID: Int64, at: Date) throws {
        if let row = try Row.fetchOne(db, sql: """
               SELECT path, file_size, file_mtime_ns, file_inode, file_device FROM checkpoints WHERE id = ?
               """, arguments: [checkpointID]),
           !namesStep(row["path"]), namesStep(i.path) {
            let old = CheckpointIdentity(path: row["path"], size: row["file_size"], mtimeNs: row["file_mtime_ns"],
                                         inode: UInt64(bitPattern: row["file_inode"]),
                                         device: UInt64(bitPattern: row["file_device"]))
            let version = (try Int.fetchOne(db, sql: "SELECT max(version) FROM checkpoints WHERE run_id = ? AND path = ?",
                                            arguments: [runID, i.path]) ?? 0) + 1
            try db.execute(sql: """
                UPDATE checkpoints SET path = ?, version = ?, file_size = ?, file_mtime_ns = ?, file_inode = ?,
                    file_device = ? WHERE id = ?
                """, arguments: [i.path, version, i.size, i.mtimeNs, Int64(bitPattern: i.inode),
                                 Int64(bitPattern: i.device), checkpointID])
            try insertAliasRow(db, checkpointID: checkpointID, identity: old, at: at)
            return
        }
        try insertAliasRow(db, checkpointID: checkpointID, identity: i, at: at)
    }

    /// Whether a checkpoint path's own name carries a step (the readers' `StepParser`).
    static func namesStep(_ path: String) -> Bool {
        StepParser.parse(name: (path as NSString).lastPathComponent).step != nil
    }

    static func insertAliasRow(_ db: Database, checkpointID: Int64, identity i: CheckpointIdentity, at: Date) throws {
        try db.execute(sql: """
            INSERT INTO checkpoint_aliases (checkpoint_id, path, file_size, file_mtime_ns, file_inode,
                file_device, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [checkpointID, i.path, i.size, i.mtimeNs, Int64(bitPattern: i.inode),
                             Int64(bitPattern: i.device), at.timeIntervalSince1970])
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
                                 error: String?, aliases: String?, options: String? = nil) throws -> Int64 {
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
                error, aliases, options)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [runID, i.path, version, step, epoch, source ?? "user", format,
                             i.size, i.mtimeNs, Int64(bitPattern: i.inode),
                             Int64(bitPattern: i.device), analyzedAt.timeIntervalSince1970,
                             duration, status, error, aliases, options])
        return db.lastInsertedRowID
    }

    static func insertLayers(_ db: Database, runID: Int64, checkpointID: Int64,
                             layers: [LayerReport], hashes: [String: String], tag: String = "") throws {
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
            var key = LayerKey.of(r, tag: tag)
            var n = 2
            while !seen.insert(key).inserted { key = "\(LayerKey.of(r, tag: tag))~\(n)"; n += 1 }
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

extension HistoryStore {
    /// How much a step source is trusted (`Checkpoint.StepSource`): the user's word, then the
    /// framework's metadata, an optimizer's counter, the file name, arrival order.
    static func trust(_ source: String?) -> Int {
        ["arrival": 1, "name": 2, "optimizer": 3, "framework": 4, "user": 5][source ?? ""] ?? 0
    }

    /// What a refresh changed on a recorded checkpoint.
    public struct Refreshed: Sendable, Equatable {
        public var checkpointID: Int64
        public var run: String
        public var step: Int
        public var stepChanged: Bool
    }

    /// Files beside a recorded checkpoint's weights arrived late (HF's `trainer_state.json`,
    /// `optimizer.pt`): the same point gets the better step (a more trusted source), the epoch
    /// it lacked and the training metrics now readable. Nil when the identity is not a recorded
    /// checkpoint row or nothing changed.
    public func refresh(identity: CheckpointIdentity, step: Int?, stepSource: String?, epoch: Double?,
                        training: [String: Double], at: Date = Date()) throws -> Refreshed? {
        try writing { db -> Refreshed? in
            // The point itself, or a point this identity was recorded as an alias of (weights
            // rewritten with the same bytes, then the companions arrived).
            guard let row = try Row.fetchOne(db, sql: """
                SELECT c.id FROM checkpoints c
                WHERE c.path = ?1 AND c.file_size = ?2 AND c.file_mtime_ns = ?3 AND c.file_inode = ?4 AND c.file_device = ?5
                UNION ALL
                SELECT a.checkpoint_id FROM checkpoint_aliases a
                WHERE a.path = ?1 AND a.file_size = ?2 AND a.file_mtime_ns = ?3 AND a.file_inode = ?4 AND a.file_device = ?5
                LIMIT 1
                """, arguments: [identity.path, identity.size, identity.mtimeNs, Int64(bitPattern: identity.inode),
                                 Int64(bitPattern: identity.device)]) else { return nil }
            return try Self.complete(db, checkpointID: row[0], step: step, stepSource: stepSource, epoch: epoch,
                                     training: training, at: at)

        }
    }

    /// A recorded point learns its step (from a more trusted source), the epoch it lacked and
    /// training metrics. Nil when nothing changed.
    static func complete(_ db: Database, checkpointID id: Int64, step: Int?, stepSource: String?, epoch: Double?,
                         training: [String: Double], at: Date) throws -> Refreshed? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT c.step, c.step_source, c.epoch, r.name FROM checkpoints c JOIN runs r ON r.id = c.run_id WHERE c.id = ?
            """, arguments: [id]) else { return nil }
        var newStep: Int = row[0]
        var changed = false, stepChanged = false
        if let step, Self.trust(stepSource) > Self.trust(row[1]) {
            try db.execute(sql: "UPDATE checkpoints SET step = ?, step_source = ? WHERE id = ?",
                           arguments: [step, stepSource, id])
            stepChanged = step != newStep
            newStep = step; changed = true
        }
        if let epoch, (row[2] as Double?) == nil {
            try db.execute(sql: "UPDATE checkpoints SET epoch = ? WHERE id = ?", arguments: [epoch, id])
            changed = true
        }
        let before = try Self.training(db, checkpointIDs: [id])[id] ?? [:]
        try Self.saveTraining(db, checkpointID: id, training, source: .checkpoint, at: at)
        let after = try Self.training(db, checkpointIDs: [id])[id] ?? [:]
        // Compared as text: NaN equals NaN here.
        if before.mapValues({ "\($0)" }) != after.mapValues({ "\($0)" }) { changed = true }
        return changed ? Refreshed(checkpointID: id, run: row[3], step: newStep, stepChanged: stepChanged) : nil
    }
}

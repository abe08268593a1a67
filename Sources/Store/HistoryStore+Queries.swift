import Analysis
import Foundation
import GRDB
import Metrics

extension HistoryStore {
    // MARK: runs

    public func runs() throws -> [RunOverview] {
        try reading { db in
            try Row.fetchAll(db, sql: """
                SELECT r.name, r.root, count(c.id) AS n,
                    coalesce(sum(c.status = 'error'), 0) AS errors,
                    min(c.step) AS first_step, max(c.step) AS last_step,
                    max(c.analyzed_at) AS last_at,
                    (SELECT s.alpha FROM checkpoints c2 JOIN summaries s ON s.checkpoint_id = c2.id
                        WHERE c2.run_id = r.id ORDER BY c2.step DESC, c2.version DESC LIMIT 1) AS last_alpha,
                    (SELECT s.alpha_weighted FROM checkpoints c2 JOIN summaries s ON s.checkpoint_id = c2.id
                        WHERE c2.run_id = r.id ORDER BY c2.step DESC, c2.version DESC LIMIT 1) AS last_aw,
                    (SELECT count(*) FROM alerts a WHERE a.run_id = r.id AND a.state = 'firing') AS firing
                FROM runs r LEFT JOIN checkpoints c ON c.run_id = r.id
                GROUP BY r.id ORDER BY r.name
                """).map { row in
                RunOverview(run: row["name"], root: row["root"], checkpoints: row["n"],
                            errors: row["errors"], firstStep: row["first_step"],
                            lastStep: row["last_step"],
                            lastAnalyzedAt: (row["last_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                            lastAlpha: row["last_alpha"], lastAlphaWeighted: row["last_aw"],
                            alertsFiring: row["firing"])
            }
        }
    }

    /// The run's id, or a sentence naming the known runs (or saying there are none).
    func runID(_ db: Database, _ run: String) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE name = ?", arguments: [run]) {
            return id
        }
        let known = try String.fetchAll(db, sql: "SELECT name FROM runs ORDER BY name")
        if known.isEmpty { throw StoreError.emptyDatabase(path: path) }
        throw StoreError.unknownRun(run, known: known)
    }

    // MARK: checkpoints

    static let checkpointSelect = """
        SELECT c.*, r.name AS run_name,
            s.checkpoint_id AS has_summary, s.log_norm AS s_log_norm, s.alpha AS s_alpha,
            s.alpha_weighted AS s_alpha_weighted, s.log_alpha_norm AS s_log_alpha_norm,
            s.log_spectral_norm AS s_log_spectral_norm, s.stable_rank AS s_stable_rank,
            s.layers_analyzed, s.layers_skipped, s.layers_failed
        FROM checkpoints c JOIN runs r ON r.id = c.run_id
        LEFT JOIN summaries s ON s.checkpoint_id = c.id
        """

    static func checkpointRecord(_ row: Row) -> CheckpointRecord {
        func d(_ c: String) -> Double { (row[c] as Double?) ?? .nan }
        let summary: Summary? = (row["has_summary"] as Int64?) == nil ? nil : Summary(
            logNorm: d("s_log_norm"), alpha: d("s_alpha"), alphaWeighted: d("s_alpha_weighted"),
            logAlphaNorm: d("s_log_alpha_norm"), logSpectralNorm: d("s_log_spectral_norm"),
            stableRank: d("s_stable_rank"), layersAnalyzed: row["layers_analyzed"],
            layersSkipped: row["layers_skipped"], layersFailed: row["layers_failed"])
        let aliases = (row["aliases"] as String?).flatMap {
            try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
        } ?? [:]
        return CheckpointRecord(
            id: row["id"], run: row["run_name"], path: row["path"], version: row["version"],
            step: row["step"], epoch: row["epoch"], stepSource: row["step_source"],
            format: row["format"],
            identity: CheckpointIdentity(
                path: row["path"], size: row["file_size"], mtimeNs: row["file_mtime_ns"],
                inode: UInt64(bitPattern: row["file_inode"]), device: UInt64(bitPattern: row["file_device"])),
            analyzedAt: Date(timeIntervalSince1970: row["analyzed_at"]),
            durationSeconds: row["duration"],
            status: CheckpointStatus(rawValue: row["status"]) ?? .error, error: row["error"],
            aliases: aliases, summary: summary)
    }

    /// Every recorded version of every checkpoint of `run`, by step then version, with their
    /// training metrics and alias paths.
    public func checkpoints(run: String) throws -> [CheckpointRecord] {
        try reading { db in
            let id = try runID(db, run)
            let records = try Row.fetchAll(db, sql: Self.checkpointSelect + " WHERE c.run_id = ? ORDER BY c.step, c.version, c.id",
                                           arguments: [id]).map(Self.checkpointRecord)
            return try Self.completed(db, records, runID: id)
        }
    }

    /// Adds training metrics and alias paths (two queries for the whole list, not one per row).
    static func completed(_ db: Database, _ records: [CheckpointRecord], runID: Int64) throws -> [CheckpointRecord] {
        var training: [Int64: [String: Double]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT t.checkpoint_id, t.name, t.value FROM training_metrics t
            JOIN checkpoints c ON c.id = t.checkpoint_id WHERE c.run_id = ?
            """, arguments: [runID]) {
            training[row[0], default: [:]][row[1]] = (row[2] as Double?) ?? .nan
        }
        var aliases: [Int64: [String]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT a.checkpoint_id, a.path FROM checkpoint_aliases a
            JOIN checkpoints c ON c.id = a.checkpoint_id WHERE c.run_id = ? ORDER BY a.id
            """, arguments: [runID]) {
            let p: String = row[1]
            if aliases[row[0], default: []].contains(p) == false { aliases[row[0], default: []].append(p) }
        }
        return records.map { r in
            var r = r
            r.training = training[r.id] ?? [:]
            // The same path rewritten with the same bytes is an alias too (identity), not news.
            r.aliasPaths = (aliases[r.id] ?? []).filter { $0 != r.path }
            return r
        }
    }

    /// The checkpoint at `step` (its newest version), or the newest analysed one when nil.
    public func checkpoint(run: String, step: Int?) throws -> CheckpointRecord {
        try reading { db in try checkpoint(db, run: run, step: step) }
    }

    func checkpoint(_ db: Database, run: String, step: Int?) throws -> CheckpointRecord {
        let id = try runID(db, run)
        let row: Row?
        if let step {
            row = try Row.fetchOne(db, sql: Self.checkpointSelect
                + " WHERE c.run_id = ? AND c.step = ? ORDER BY c.version DESC LIMIT 1", arguments: [id, step])
            if row == nil {
                let known = try Int.fetchAll(db, sql: "SELECT DISTINCT step FROM checkpoints WHERE run_id = ? ORDER BY step",
                                             arguments: [id])
                throw StoreError.unknownStep(run: run, step: step, known: known)
            }
        } else {
            row = try Row.fetchOne(db, sql: Self.checkpointSelect
                + " WHERE c.run_id = ? AND c.status = 'ok' ORDER BY c.step DESC, c.version DESC LIMIT 1",
                arguments: [id])
        }
        guard let row else { throw StoreError.noCheckpoints(run: run) }
        let record = Self.checkpointRecord(row)
        return try Self.completed(db, [record], runID: id)[0]
    }

    // MARK: per-layer reports

    /// The full report of one checkpoint (the `wwmon analyze --format json` object), layers in
    /// the order they were analysed. Nil for a checkpoint recorded as an error.
    public func report(of record: CheckpointRecord) throws -> CheckpointReport? {
        guard let summary = record.summary else { return nil }
        return try reading { db in
            var hashes: [String: String] = [:]
            let layers = try Row.fetchAll(db, sql: """
                SELECT \(try LayerColumns.selectList(db)), lm.tensor_hash FROM layer_metrics lm
                WHERE lm.checkpoint_id = ? ORDER BY lm.rowid
                """, arguments: [record.id]).map { row -> LayerReport in
                let r = LayerColumns.decode(row)
                if let h = row["tensor_hash"] as String? { hashes[LayerKey.normalise(r.longname)] = h }
                return r
            }
            let info = CheckpointInfo(path: record.path, format: record.format ?? "", step: record.step,
                                      epoch: record.epoch, stepSource: record.stepSource,
                                      aliases: record.aliases, tensorHashes: hashes)
            return CheckpointReport(layers: layers, summary: summary, checkpoint: info)
        }
    }

    /// `wwmon layers RUN [--step S]`: the checkpoint and its report (latest analysed by default).
    public func layers(run: String, step: Int?) throws -> (CheckpointRecord, CheckpointReport) {
        let record = try checkpoint(run: run, step: step)
        guard let report = try report(of: record) else {
            throw StoreError.checkpointFailed(run: run, step: record.step, error: record.error ?? "unknown error")
        }
        return (record, report)
    }

    /// Layer names of a run, in order of first appearance.
    public func layerNames(run: String) throws -> [String] {
        try reading { db in
            let id = try runID(db, run)
            return try String.fetchAll(db, sql: "SELECT name FROM layers WHERE run_id = ? ORDER BY id", arguments: [id])
        }
    }

    func layerID(_ db: Database, runID: Int64, run: String, layer: String) throws -> Int64 {
        for candidate in [layer, LayerKey.normalise(layer)] {
            if let id = try Int64.fetchOne(db, sql: "SELECT id FROM layers WHERE run_id = ? AND name = ?",
                                           arguments: [runID, candidate]) { return id }
        }
        let known = try String.fetchAll(db, sql: "SELECT name FROM layers WHERE run_id = ? ORDER BY id", arguments: [runID])
        throw StoreError.unknownLayer(run: run, layer: layer, known: known)
    }

    // MARK: series

    /// One layer's metric over checkpoints, oldest first; `last` keeps the newest K points,
    /// `afterCheckpointID` only points recorded after that one (for `--follow`).
    public func layerSeries(run: String, layer: String, metric: LayerMetric, last: Int? = nil,
                            afterCheckpointID: Int64? = nil) throws -> [SeriesPoint] {
        try reading { db in
            let rid = try runID(db, run)
            let lid = try layerID(db, runID: rid, run: run, layer: layer)
            return try Self.points(db, sql: """
                SELECT c.id, c.step, c.epoch, c.analyzed_at, lm."\(metric.rawValue)" AS value, lm.status
                FROM layer_metrics lm JOIN checkpoints c ON c.id = lm.checkpoint_id
                WHERE lm.layer_id = ? AND lm.checkpoint_id > ?
                ORDER BY c.step DESC, c.version DESC LIMIT ?
                """, arguments: [lid, afterCheckpointID ?? 0, last ?? -1])
        }
    }

    /// A summary metric over checkpoints, oldest first. Unreadable checkpoints are points too
    /// (status `error`, no value), so a chart shows the gap.
    public func summarySeries(run: String, metric: SummaryMetric, last: Int? = nil,
                              afterCheckpointID: Int64? = nil) throws -> [SeriesPoint] {
        try reading { db in
            let rid = try runID(db, run)
            return try Self.points(db, sql: """
                SELECT c.id, c.step, c.epoch, c.analyzed_at, s."\(metric.rawValue)" AS value, c.status
                FROM checkpoints c LEFT JOIN summaries s ON s.checkpoint_id = c.id
                WHERE c.run_id = ? AND c.id > ? AND c.status != 'vanished'
                ORDER BY c.step DESC, c.version DESC LIMIT ?
                """, arguments: [rid, afterCheckpointID ?? 0, last ?? -1])
        }
    }

    /// Every layer's series of one metric over the last K analysed checkpoints, layers in
    /// order of first appearance.
    public func allLayerSeries(run: String, metric: LayerMetric, last: Int? = nil,
                               afterCheckpointID: Int64? = nil) throws -> [Series] {
        try reading { db in
            let rid = try runID(db, run)
            let rows = try Row.fetchAll(db, sql: """
                WITH recent AS (
                    SELECT id, step, version, epoch, analyzed_at FROM checkpoints
                    WHERE run_id = ? AND status = 'ok' AND id > ?
                    ORDER BY step DESC, version DESC LIMIT ?)
                SELECT recent.id, recent.step, recent.epoch, recent.analyzed_at,
                    lm."\(metric.rawValue)" AS value, lm.status, l.name AS layer
                FROM recent JOIN layer_metrics lm ON lm.checkpoint_id = recent.id
                JOIN layers l ON l.id = lm.layer_id
                ORDER BY l.id, recent.step, recent.version
                """, arguments: [rid, afterCheckpointID ?? 0, last ?? -1])
            var out: [Series] = []
            for row in rows {
                let name: String = row[6]
                if out.last?.layer != name { out.append(Series(layer: name, metric: metric.rawValue, points: [])) }
                out[out.count - 1].points.append(Self.point(row))
            }
            return out
        }
    }

    /// Decodes `id, step, epoch, analyzed_at, value, status` — by position: name lookups
    /// (case-insensitive, per row) cost more than the query over thousands of points.
    /// Series points of a newest-first query, oldest first. A cursor, not `fetchAll`: a series
    /// is thousands of rows, and copying each into a `Row` first doubled a cold `history`.
    static func points(_ db: Database, sql: String, arguments: StatementArguments) throws -> [SeriesPoint] {
        var out: [SeriesPoint] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() { out.append(point(row)) }
        out.reverse()
        return out
    }

    static func point(_ row: Row) -> SeriesPoint {
        SeriesPoint(checkpointID: row[0], step: row[1], epoch: row[2],
                    time: Date(timeIntervalSince1970: row[3]),
                    value: (row[4] as Double?) ?? .nan, status: row[5])
    }

    /// Id of the newest recorded checkpoint of a run (0 when none), for followers.
    public func latestCheckpointID(run: String) throws -> Int64 {
        try reading { db in
            let rid = try runID(db, run)
            return try Int64.fetchOne(db, sql: "SELECT max(id) FROM checkpoints WHERE run_id = ?", arguments: [rid]) ?? 0
        }
    }

    // MARK: compare

    /// Per-layer deltas of `metric` from one checkpoint to another: within `run` (default
    /// first → latest analysed) or, with `otherRun`, from `run`@from to `otherRun`@to (each
    /// default latest). Layers are matched by normalised name.
    public func compare(run: String, from: Int? = nil, to: Int? = nil, metric: LayerMetric = .alpha,
                        otherRun: String? = nil) throws -> Comparison {
        try reading { db in
            let a: CheckpointRecord
            if let from { a = try checkpoint(db, run: run, step: from) } else if otherRun != nil {
                a = try checkpoint(db, run: run, step: nil)
            } else {
                let rid = try runID(db, run)
                guard let row = try Row.fetchOne(db, sql: Self.checkpointSelect
                    + " WHERE c.run_id = ? AND c.status = 'ok' ORDER BY c.step, c.version LIMIT 1",
                    arguments: [rid]) else { throw StoreError.noCheckpoints(run: run) }
                a = Self.checkpointRecord(row)
            }
            let b = try checkpoint(db, run: otherRun ?? run, step: to)
            for c in [a, b] where c.status != .ok {
                throw StoreError.checkpointFailed(run: c.run, step: c.step, error: c.error ?? "unknown error")
            }
            func values(_ id: Int64) throws -> [(String, Double)] {
                try Row.fetchAll(db, sql: """
                    SELECT l.name, lm."\(metric.rawValue)" AS value FROM layer_metrics lm
                    JOIN layers l ON l.id = lm.layer_id WHERE lm.checkpoint_id = ? ORDER BY lm.rowid
                    """, arguments: [id]).map { ($0["name"], ($0["value"] as Double?) ?? .nan) }
            }
            let va = try values(a.id), vb = try values(b.id)
            let mapB = Dictionary(vb, uniquingKeysWith: { x, _ in x })
            let namesA = Set(va.map(\.0))
            var deltas = va.compactMap { name, v in mapB[name].map { LayerDelta(layer: name, from: v, to: $0) } }
            deltas.sort { x, y in
                let dx = abs(x.delta), dy = abs(y.delta)
                if dx.isFinite != dy.isFinite { return dx.isFinite }
                return dx > dy
            }
            return Comparison(from: a, to: b, metric: metric, deltas: deltas,
                              onlyInFrom: va.map(\.0).filter { mapB[$0] == nil },
                              onlyInTo: vb.map(\.0).filter { !namesA.contains($0) },
                              depthFrom: a.summary?.layersAnalyzed ?? va.count,
                              depthTo: b.summary?.layersAnalyzed ?? vb.count)
        }
    }

    // MARK: export

    /// Streams every layer row of `run` with its checkpoint, oldest checkpoint first, without
    /// holding the whole run in memory.
    public func forEachLayerRow(run: String, _ body: (CheckpointRecord, String, LayerReport) throws -> Void) throws {
        try reading { db in
            let rid = try runID(db, run)
            var current: CheckpointRecord?
            let cps = try Self.completed(db, Row.fetchAll(db, sql: Self.checkpointSelect + " WHERE c.run_id = ? ORDER BY c.step, c.version",
                                                          arguments: [rid]).map(Self.checkpointRecord), runID: rid)
            let byID = Dictionary(uniqueKeysWithValues: cps.map { ($0.id, $0) })
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT lm.checkpoint_id, l.name AS layer_key, \(try LayerColumns.selectList(db))
                FROM checkpoints c JOIN layer_metrics lm ON lm.checkpoint_id = c.id
                JOIN layers l ON l.id = lm.layer_id
                WHERE c.run_id = ? ORDER BY c.step, c.version, lm.rowid
                """, arguments: [rid])
            while let row = try cursor.next() {
                let cid: Int64 = row["checkpoint_id"]
                if current?.id != cid { current = byID[cid] }
                guard let current else { continue }
                try body(current, row["layer_key"], LayerColumns.decode(row))
            }
        }
    }
}

extension HistoryStore {
    /// The step a checkpoint row was recorded at (the store assigns arrival steps).
    public func step(ofCheckpoint id: Int64) throws -> Int {
        try reading { db in
            guard let s = try Int.fetchOne(db, sql: "SELECT step FROM checkpoints WHERE id = ?", arguments: [id]) else {
                throw StoreError.sqlite(path: path, message: "checkpoint \(id) is not in the database")
            }
            return s
        }
    }
}

extension HistoryStore {
    /// The run's newest `last` analysed checkpoints (one per step: its newest version) with a
    /// step below `before` when given, oldest first. What the alert rules read per checkpoint:
    /// an indexed query, so its cost does not grow with the run's length. Unknown run: none.
    public func analysedCheckpoints(run: String, before: Int? = nil, last: Int) throws -> [CheckpointRecord] {
        try reading { db in
            guard let rid = try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE name = ?", arguments: [run]) else { return [] }
            let rows = try Row.fetchAll(db, sql: Self.checkpointSelect + """
                 WHERE c.run_id = ?1 AND c.status = 'ok' AND c.step < ?2
                   AND c.id = (SELECT c2.id FROM checkpoints c2 WHERE c2.run_id = ?1 AND c2.step = c.step
                               AND c2.status = 'ok' ORDER BY c2.version DESC, c2.id DESC LIMIT 1)
                 ORDER BY c.step DESC LIMIT ?3
                """, arguments: [rid, before ?? Int.max, last])
            return rows.map(Self.checkpointRecord).reversed()
        }
    }
}

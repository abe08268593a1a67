import GRDB

/// Where runs of a sweep are compared (`wwmon rank --at`).
public enum ComparisonPoint: Sendable, Equatable {
    /// Each run's newest analysed checkpoint.
    case latest
    /// Each run's newest analysed checkpoint at or before this step.
    case step(Int)
    /// ... at or before this epoch (checkpoints without an epoch are not candidates).
    case epoch(Double)
}

/// One analysed layer's shape, in analysis order: what an architecture is made of.
public struct LayerShape: Sendable, Equatable {
    public var n: Int, m: Int, rf: Int
}

/// A run at its comparison point, with what `rank` needs beside the summary.
public struct SweepRun: Sendable {
    public var checkpoint: CheckpointRecord
    public var shapes: [LayerShape]
    public var tags: [String: String]
}

extension HistoryStore {
    /// The given runs (all runs when empty), each at `point`; runs with no analysed checkpoint
    /// there are returned in `missing`. Unknown run names throw, naming the known runs.
    public func sweep(runs names: [String], at point: ComparisonPoint) throws -> (runs: [SweepRun], missing: [String]) {
        try reading { db in
            let all = try String.fetchAll(db, sql: "SELECT name FROM runs ORDER BY name")
            for n in names where !all.contains(n) { throw StoreError.unknownRun(n, known: all) }
            let tags = try Self.tags(db)
            var found: [SweepRun] = [], missing: [String] = []
            for name in names.isEmpty ? all : names {
                let id = try runID(db, name)
                var sql = Self.checkpointSelect + " WHERE c.run_id = ? AND c.status = 'ok'"
                var args: StatementArguments = [id]
                switch point {
                case .latest: break
                case .step(let s): sql += " AND c.step <= ?"; args += [s]
                case .epoch(let e): sql += " AND c.epoch IS NOT NULL AND c.epoch <= ?"; args += [e]
                }
                sql += " ORDER BY c.step DESC, c.version DESC LIMIT 1"
                guard let row = try Row.fetchOne(db, sql: sql, arguments: args) else { missing.append(name); continue }
                // With its training metrics (`wwmon note`, the framework's logs).
                guard let record = try Self.completed(db, [Self.checkpointRecord(row)], runID: id).first else { continue }
                let shapes = try Row.fetchAll(db, sql: """
                    SELECT "N", "M", rf FROM layer_metrics WHERE checkpoint_id = ? ORDER BY rowid
                    """, arguments: [record.id]).map { LayerShape(n: $0[0], m: $0[1], rf: $0[2]) }
                found.append(SweepRun(checkpoint: record, shapes: shapes, tags: tags[name] ?? [:]))
            }
            return (found, missing)
        }
    }

    /// Every analysed checkpoint of `run` (the newest version of each path), oldest first, with
    /// its training metrics: correlations along one run.
    public func runPoints(run: String) throws -> [CheckpointRecord] {
        try reading { db in
            let id = try runID(db, run)
            let records = try Row.fetchAll(db, sql: Self.checkpointSelect + """
                 WHERE c.run_id = ? AND c.status = 'ok'
                    AND c.version = (SELECT max(version) FROM checkpoints c2
                                     WHERE c2.run_id = c.run_id AND c2.path = c.path)
                ORDER BY c.step, c.version
                """, arguments: [id]).map(Self.checkpointRecord)
            return try Self.completed(db, records, runID: id)
        }
    }
}

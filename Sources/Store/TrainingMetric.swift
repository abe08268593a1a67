import Foundation
import GRDB

/// One training metric of one checkpoint (`training_metrics` row): what the framework stored
/// with the checkpoint (HF `log_history`'s `eval_loss`, a Lightning monitor score, a research
/// dict's `best_acc1`) or what `wwmon note` attached. NaN is stored as NULL.
public struct TrainingMetric: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public enum Source: String, Sendable, Codable, DatabaseValueConvertible {
        /// Read from the checkpoint's own files by the readers.
        case checkpoint
        /// Attached with `wwmon note`; never overwritten by what a later read of the files says.
        case note
    }

    public static let databaseTableName = "training_metrics"

    public var checkpointID: Int64
    public var name: String
    public var value: Double?
    public var source: Source
    public var recordedAt: Double

    enum CodingKeys: String, CodingKey {
        case checkpointID = "checkpoint_id", name, value, source, recordedAt = "recorded_at"
    }

    public init(checkpointID: Int64, name: String, value: Double, source: Source, recordedAt: Date) {
        self.checkpointID = checkpointID; self.name = name
        self.value = value.isNaN ? nil : value
        self.source = source; self.recordedAt = recordedAt.timeIntervalSince1970
    }

    /// A metric name `wwmon note` and the readers may use: letters, digits and `_ . / -`
    /// (Lightning logs `val/loss`), so it reads as one token in a CSV header and a CLI flag.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128 && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "_./-".unicodeScalars.contains($0)
        }
    }
}

extension HistoryStore {
    /// Upserts metrics of one checkpoint. `.checkpoint` values never replace a `.note`.
    static func saveTraining(_ db: Database, checkpointID: Int64, _ metrics: [String: Double],
                             source: TrainingMetric.Source, at: Date) throws {
        for (name, value) in metrics.sorted(by: { $0.key < $1.key }) where TrainingMetric.isValidName(name) {
            let m = TrainingMetric(checkpointID: checkpointID, name: name, value: value, source: source, recordedAt: at)
            if source == .checkpoint,
               try TrainingMetric.filter(Column("checkpoint_id") == checkpointID && Column("name") == name
                                         && Column("source") == TrainingMetric.Source.note.rawValue).fetchCount(db) > 0 {
                continue
            }
            try m.upsert(db)
        }
    }

    /// Training metrics of the given checkpoints, by checkpoint id (NULL values come back NaN).
    static func training(_ db: Database, checkpointIDs: [Int64]) throws -> [Int64: [String: Double]] {
        guard !checkpointIDs.isEmpty else { return [:] }
        var out: [Int64: [String: Double]] = [:]
        for m in try TrainingMetric.filter(checkpointIDs.contains(Column("checkpoint_id"))).fetchAll(db) {
            out[m.checkpointID, default: [:]][m.name] = m.value ?? .nan
        }
        return out
    }

    /// `wwmon note RUN --step S name=value…`: attaches metrics to the recorded checkpoint at
    /// `step` (its newest version). Creates no checkpoint; an unknown run or step throws.
    @discardableResult
    public func note(run: String, step: Int, metrics: [String: Double], at: Date = Date()) throws -> CheckpointRecord {
        for name in metrics.keys where !TrainingMetric.isValidName(name) {
            throw StoreError.invalidMetricName(name)
        }
        return try writing { db in
            var record = try checkpoint(db, run: run, step: step)
            try Self.saveTraining(db, checkpointID: record.id, metrics, source: .note, at: at)
            record.training = try Self.training(db, checkpointIDs: [record.id])[record.id] ?? [:]
            return record
        }
    }

    /// Names of the training metrics recorded for a run, sorted.
    public func trainingMetricNames(run: String) throws -> [String] {
        try reading { db in
            let rid = try runID(db, run)
            return try String.fetchAll(db, sql: """
                SELECT DISTINCT t.name FROM training_metrics t JOIN checkpoints c ON c.id = t.checkpoint_id
                WHERE c.run_id = ? ORDER BY t.name
                """, arguments: [rid])
        }
    }

    /// One training metric over checkpoints, oldest first (only checkpoints that have it).
    public func trainingSeries(run: String, name: String, last: Int? = nil,
                               afterCheckpointID: Int64? = nil) throws -> [SeriesPoint] {
        try reading { db in
            let rid = try runID(db, run)
            return try Self.points(db, sql: """
                SELECT c.id, c.step, c.epoch, c.analyzed_at, t.value, c.status
                FROM checkpoints c JOIN training_metrics t ON t.checkpoint_id = c.id AND t.name = ?
                WHERE c.run_id = ? AND c.id > ?
                ORDER BY c.step DESC, c.version DESC LIMIT ?
                """, arguments: [name, rid, afterCheckpointID ?? 0, last ?? -1])
        }
    }
}

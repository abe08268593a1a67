import Foundation
import GRDB
import Metrics

/// An alert as the store keeps it (issue 6): one row per firing episode of a fingerprint
/// (rule, run, layer); resolving closes the row, firing again opens a new one.
public struct StoredAlert: Sendable, Equatable {
    public var id: Int64?
    public var rule: String
    public var run: String
    public var layer: String?
    public var state: State
    public var step: Int?
    public var value: Double?
    public var threshold: Double?
    public var message: String
    public var firedAt: Date
    public var resolvedAt: Date?
    public var lastSentAt: Date?

    public enum State: String, Sendable, Codable { case firing, resolved }

    public var fingerprint: String { Self.fingerprint(rule: rule, run: run, layer: layer) }

    /// `rule|run|layer`, unit-separator joined so no name can forge another's fingerprint.
    public static func fingerprint(rule: String, run: String, layer: String?) -> String {
        [rule, run, layer ?? ""].joined(separator: "\u{1F}")
    }

    public init(id: Int64? = nil, rule: String, run: String, layer: String?, state: State = .firing,
                step: Int?, value: Double?, threshold: Double?, message: String, firedAt: Date,
                resolvedAt: Date? = nil, lastSentAt: Date? = nil) {
        self.id = id; self.rule = rule; self.run = run; self.layer = layer; self.state = state
        self.step = step; self.value = value; self.threshold = threshold; self.message = message
        self.firedAt = firedAt; self.resolvedAt = resolvedAt; self.lastSentAt = lastSentAt
    }
}

/// One lifecycle transition, applied with others in one transaction.
public enum AlertChange: Sendable, Equatable {
    /// Opens a firing row (a no-op if this fingerprint is already firing).
    case fire(StoredAlert)
    /// Still firing: newest step/value/message, and when hooks were last told.
    case refresh(rule: String, run: String, layer: String?, step: Int?, value: Double?, message: String, sentAt: Date?)
    /// The condition cleared.
    case resolve(rule: String, run: String, layer: String?, step: Int?, value: Double?, at: Date)
}

/// A checkpoint as the alert rules read it.
public struct CheckpointSample: Sendable {
    public var step: Int
    public var layers: [LayerReport]
    public var summary: Summary
}

extension HistoryStore {
    public func applyAlertChanges(_ changes: [AlertChange]) throws {
        guard !changes.isEmpty else { return }
        try writing { db in
            for change in changes {
                switch change {
                case .fire(let a):
                    let runID = try Self.upsertRun(db, name: a.run, root: nil, at: a.firedAt)
                    try db.execute(sql: """
                        INSERT INTO alerts (fingerprint, rule, run_id, layer, state, step, value, threshold,
                            message, fired_at, last_sent_at)
                        VALUES (?, ?, ?, ?, 'firing', ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (fingerprint) WHERE state = 'firing' DO NOTHING
                        """, arguments: [a.fingerprint, a.rule, runID, a.layer, a.step, a.value.flatMap(LayerColumns.real),
                                         a.threshold, a.message, a.firedAt.timeIntervalSince1970,
                                         a.lastSentAt?.timeIntervalSince1970])
                case .refresh(let rule, let run, let layer, let step, let value, let message, let sentAt):
                    try db.execute(sql: """
                        UPDATE alerts SET step = ?, value = ?, message = ?, last_sent_at = coalesce(?, last_sent_at)
                        WHERE fingerprint = ? AND state = 'firing'
                        """, arguments: [step, value.flatMap(LayerColumns.real), message, sentAt?.timeIntervalSince1970,
                                         StoredAlert.fingerprint(rule: rule, run: run, layer: layer)])
                case .resolve(let rule, let run, let layer, let step, let value, let at):
                    try db.execute(sql: """
                        UPDATE alerts SET state = 'resolved', step = coalesce(?, step), value = coalesce(?, value),
                            resolved_at = ?, last_sent_at = ?
                        WHERE fingerprint = ? AND state = 'firing'
                        """, arguments: [step, value.flatMap(LayerColumns.real), at.timeIntervalSince1970,
                                         at.timeIntervalSince1970, StoredAlert.fingerprint(rule: rule, run: run, layer: layer)])
                }
            }
        }
    }

    /// Alerts, newest first; `run` nil = every run, `state` nil = both states.
    public func alerts(run: String? = nil, state: StoredAlert.State? = nil) throws -> [StoredAlert] {
        try reading { db in
            var sql = "SELECT a.*, r.name AS run_name FROM alerts a JOIN runs r ON r.id = a.run_id WHERE 1"
            var args: [(any DatabaseValueConvertible)?] = []
            if let run { _ = try runID(db, run); sql += " AND r.name = ?"; args.append(run) }
            if let state { sql += " AND a.state = ?"; args.append(state.rawValue) }
            sql += " ORDER BY a.fired_at DESC, a.id DESC"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { row in
                StoredAlert(id: row["id"], rule: row["rule"], run: row["run_name"], layer: row["layer"],
                            state: StoredAlert.State(rawValue: row["state"]) ?? .firing, step: row["step"],
                            value: row["value"], threshold: row["threshold"], message: row["message"],
                            firedAt: Date(timeIntervalSince1970: row["fired_at"]),
                            resolvedAt: (row["resolved_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                            lastSentAt: (row["last_sent_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    /// Firing alerts of every run (to resume the lifecycle after a restart).
    public func firingAlerts() throws -> [StoredAlert] { try alerts(state: .firing) }

    /// Records one hook invocation: one `hook_runs` row per alert it carried (the newest row
    /// of each fingerprint), or one row without an alert (a test event).
    public func recordHookRun(hook: String, fingerprints: [String], startedAt: Date, durationSeconds: Double?,
                              exitStatus: Int?, stderrTail: String?) throws {
        try writing { db in
            var ids: [Int64?] = try fingerprints.map {
                try Int64.fetchOne(db, sql: "SELECT max(id) FROM alerts WHERE fingerprint = ?", arguments: [$0])
            }
            if ids.isEmpty { ids = [nil] }
            for id in ids {
                try db.execute(sql: """
                    INSERT INTO hook_runs (hook, alert_id, started_at, duration, exit_status, stderr_tail)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [hook, id, startedAt.timeIntervalSince1970, durationSeconds, exitStatus, stderrTail])
            }
        }
    }

    /// The run's analysed checkpoints with step < `beforeStep` (all when nil), oldest first, at
    /// most the newest `limit` — what the drift rules compare the new checkpoint against.
    public func recentSamples(run: String, beforeStep: Int?, limit: Int) throws -> [CheckpointSample] {
        let records: [CheckpointRecord] = try reading { db in
            let rid = try runID(db, run)
            return try Row.fetchAll(db, sql: Self.checkpointSelect + """
                 WHERE c.run_id = ? AND c.status = 'ok' AND c.step < ?
                ORDER BY c.step DESC, c.version DESC LIMIT ?
                """, arguments: [rid, beforeStep ?? Int.max, limit]).map(Self.checkpointRecord)
        }
        return try records.reversed().compactMap { rec in
            try report(of: rec).map { CheckpointSample(step: rec.step, layers: $0.layers, summary: $0.summary) }
        }
    }
}

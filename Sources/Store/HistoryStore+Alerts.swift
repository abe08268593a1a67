import Foundation
import GRDB

// The `alerts`, `hook_runs` and `hook_outbox` tables: every statement on them lives here
// (issue 11, point 4); Sources/Alerts/HistoryAlertStore.swift maps the alert engine's types
// onto these plain records.

/// One alert transition to persist.
public struct AlertTransitionRecord: Sendable, Equatable {
    public enum Kind: String, Sendable { case fired, repeated, resolved }
    public var kind: Kind
    public var fingerprint: String
    public var rule: String
    public var run: String
    /// nil for run-level alerts.
    public var layer: String?
    public var step: Int
    public var value: Double?
    public var threshold: Double?
    public var message: String
    public var firedAt: Date
    public var resolvedAt: Date?
    public var lastSentAt: Date

    public init(kind: Kind, fingerprint: String, rule: String, run: String, layer: String?, step: Int,
                value: Double?, threshold: Double?, message: String, firedAt: Date, resolvedAt: Date?,
                lastSentAt: Date) {
        self.kind = kind; self.fingerprint = fingerprint; self.rule = rule; self.run = run
        self.layer = layer; self.step = step; self.value = value; self.threshold = threshold
        self.message = message; self.firedAt = firedAt; self.resolvedAt = resolvedAt
        self.lastSentAt = lastSentAt
    }
}

/// One event owed to one hook (`hook_outbox`). `id` is the event id the hook sees.
public struct HookOutboxRecord: Sendable, Equatable {
    public var id: Int64
    public var hook: String
    public var fingerprint: String
    /// The event as its owner encoded it (JSON).
    public var event: Data
    public var createdAt: Date
}

/// One row of `alerts`.
public struct AlertRecord: Sendable, Equatable {
    public var id: Int64
    public var run: String
    public var rule: String
    public var layer: String?
    public var state: String
    public var step: Int?
    public var value: Double?
    public var threshold: Double?
    public var message: String
    public var firedAt: Date
    public var resolvedAt: Date?
    public var lastSentAt: Date?
}

/// One row of `hook_runs`.
public struct HookRunRow: Sendable, Equatable {
    public var hook: String
    public var alertID: Int64?
    public var startedAt: Date
    public var duration: Double
    public var exitStatus: Int
    public var stderrTail: String
}

extension HistoryStore {
    /// Records transitions and the hook events they owe in one transaction: after a crash either
    /// both are there or neither. `outbox` pairs a hook name with the index of its transition and
    /// the event's JSON. Returns the outbox rows written, in order.
    @discardableResult
    public func recordAlertTransitions(_ transitions: [AlertTransitionRecord],
                                       outbox: [(hook: String, transition: Int, event: Data)],
                                       at now: Date = Date()) throws -> [HookOutboxRecord] {
        try write { db in
            for t in transitions {
                switch t.kind {
                case .fired:
                    let runID = try Self.alertRunID(db, t.run)
                    try db.execute(sql: """
                        INSERT INTO alerts (fingerprint, rule, run_id, layer, state, step, value, threshold,
                                            message, fired_at, resolved_at, last_sent_at)
                        VALUES (?, ?, ?, ?, 'firing', ?, ?, ?, ?, ?, NULL, ?)
                        ON CONFLICT (fingerprint) WHERE state = 'firing' DO UPDATE SET
                            step = excluded.step, value = excluded.value, threshold = excluded.threshold,
                            message = excluded.message, last_sent_at = excluded.last_sent_at
                        """, arguments: [t.fingerprint, t.rule, runID, t.layer, t.step, finite(t.value),
                                         finite(t.threshold), t.message, t.firedAt.timeIntervalSince1970,
                                         t.lastSentAt.timeIntervalSince1970])
                case .repeated:
                    try db.execute(sql: """
                        UPDATE alerts SET step = ?, value = ?, threshold = ?, message = ?, last_sent_at = ?
                        WHERE fingerprint = ? AND state = 'firing'
                        """, arguments: [t.step, finite(t.value), finite(t.threshold), t.message,
                                         t.lastSentAt.timeIntervalSince1970, t.fingerprint])
                case .resolved:
                    try db.execute(sql: """
                        UPDATE alerts SET state = 'resolved', step = ?, resolved_at = ?, last_sent_at = ?
                        WHERE fingerprint = ? AND state = 'firing'
                        """, arguments: [t.step, (t.resolvedAt ?? now).timeIntervalSince1970,
                                         t.lastSentAt.timeIntervalSince1970, t.fingerprint])
                }
            }
            var written: [HookOutboxRecord] = []
            for o in outbox {
                let fp = transitions[o.transition].fingerprint
                try db.execute(sql: "INSERT INTO hook_outbox (hook, fingerprint, event, created_at) VALUES (?, ?, ?, ?)",
                               arguments: [o.hook, fp, String(decoding: o.event, as: UTF8.self), now.timeIntervalSince1970])
                written.append(HookOutboxRecord(id: db.lastInsertedRowID, hook: o.hook, fingerprint: fp,
                                                event: o.event, createdAt: now))
            }
            return written
        }
    }

    /// Hook events not yet delivered, oldest first (redelivered at start after a crash).
    public func unsentHookEvents() throws -> [HookOutboxRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, hook, fingerprint, event, created_at FROM hook_outbox WHERE sent_at IS NULL ORDER BY id")
                .map { row in
                    HookOutboxRecord(id: row["id"], hook: row["hook"], fingerprint: row["fingerprint"],
                                     event: Data((row["event"] as String).utf8),
                                     createdAt: Date(timeIntervalSince1970: row["created_at"]))
                }
        }
    }

    /// One `hook_runs` row per fingerprint the invocation carried, and its outbox rows marked
    /// sent, in one transaction (so "ran" and "sent" never disagree).
    public func recordHookRun(hook: String, fingerprints: [String], outboxIDs: [Int64], startedAt: Date,
                              duration: Double, exitStatus: Int, stderrTail: String) throws {
        try write { db in
            for fp in fingerprints {
                let alertID = try Int64.fetchOne(db, sql: "SELECT id FROM alerts WHERE fingerprint = ? ORDER BY id DESC LIMIT 1",
                                                 arguments: [fp])
                try db.execute(sql: """
                    INSERT INTO hook_runs (hook, alert_id, started_at, duration, exit_status, stderr_tail)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [hook, alertID, startedAt.timeIntervalSince1970, duration, exitStatus, stderrTail])
            }
            for id in outboxIDs {
                try db.execute(sql: "UPDATE hook_outbox SET sent_at = ? WHERE id = ?",
                               arguments: [Date().timeIntervalSince1970, id])
            }
        }
    }

    /// Alerts, newest first; `run` nil for every run, `state` nil for every state. An unknown run
    /// is an error naming the runs that exist.
    public func alerts(run: String?, state: String?) throws -> [AlertRecord] {
        try read { db in
            var sql = """
                SELECT a.id, r.name AS run, a.rule, a.layer, a.state, a.step, a.value, a.threshold,
                       a.message, a.fired_at, a.resolved_at, a.last_sent_at
                FROM alerts a JOIN runs r ON r.id = a.run_id
                """
            var clauses: [String] = [], args: [any DatabaseValueConvertible] = []
            if let run {
                guard try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE name = ?", arguments: [run]) != nil else {
                    throw StoreError.unknownRun(run, known: try String.fetchAll(db, sql: "SELECT name FROM runs ORDER BY name"))
                }
                clauses.append("r.name = ?"); args.append(run)
            }
            if let state { clauses.append("a.state = ?"); args.append(state) }
            if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
            sql += " ORDER BY a.fired_at DESC, a.id DESC"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { row in
                AlertRecord(id: row["id"], run: row["run"], rule: row["rule"], layer: row["layer"],
                            state: row["state"], step: row["step"], value: row["value"], threshold: row["threshold"],
                            message: row["message"], firedAt: Date(timeIntervalSince1970: row["fired_at"]),
                            resolvedAt: (row["resolved_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                            lastSentAt: (row["last_sent_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    /// Hook runs, oldest first.
    public func hookRunRows() throws -> [HookRunRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM hook_runs ORDER BY id").map { row in
                HookRunRow(hook: row["hook"], alertID: row["alert_id"],
                           startedAt: Date(timeIntervalSince1970: row["started_at"]),
                           duration: row["duration"] ?? 0, exitStatus: row["exit_status"] ?? -1,
                           stderrTail: row["stderr_tail"] ?? "")
            }
        }
    }

    /// The run's id; a run not yet in the store (an alert can precede its first good
    /// checkpoint) is created by the one upsert every record path uses (HistoryStore+Record.swift).
    private static func alertRunID(_ db: Database, _ run: String) throws -> Int64 {
        try upsertRun(db, name: run, root: nil, at: Date())
    }
}

private func finite(_ v: Double?) -> Double? { v.flatMap { $0.isFinite ? $0 : nil } }

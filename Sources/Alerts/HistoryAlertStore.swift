import Foundation
import GRDB
import Logging
import Metrics
import Store

/// One row of `wwmon alerts`.
public struct StoredAlert: Sendable, Equatable {
    public var id: Int64
    public var run: String
    public var rule: String
    /// "" for run-level alerts (NULL in the table).
    public var layer: String
    public var state: AlertStatus
    public var step: Int?
    public var value: Double?
    public var threshold: Double?
    public var message: String
    public var firedAt: Date
    public var resolvedAt: Date?
    public var lastSentAt: Date?
}

/// One row of `hook_runs`.
public struct StoredHookRun: Sendable, Equatable {
    public var hook: String
    public var alertID: Int64?
    public var startedAt: Date
    public var duration: Double
    public var exitStatus: Int
    public var stderrTail: String
}

/// The alert engine's view of the history database: the `alerts` and `hook_runs` tables
/// (schema owned by Store), plus the checkpoints the rules read as history.
public struct HistoryAlertStore: AlertStore, HookRunSink {
    public let store: HistoryStore
    private let logger: Logger

    public init(store: HistoryStore, logger: Logger = Logger(label: "wwmon.alerts.store")) {
        self.store = store; self.logger = logger
    }

    public enum State: String, Sendable, CaseIterable { case firing, resolved, all }

    // MARK: AlertStore

    public func firingAlerts() async throws -> [AlertState] {
        try list(run: nil, state: .firing).compactMap { a in
            guard let rule = AlertRule(rawValue: a.rule) else { return nil }
            return AlertState(fingerprint: AlertFingerprint(rule: rule, run: a.run, layer: a.layer),
                              metric: "", status: .firing, step: a.step ?? 0, value: a.value,
                              threshold: a.threshold, message: a.message, firedAt: a.firedAt,
                              resolvedAt: nil, lastSentAt: a.lastSentAt ?? a.firedAt)
        }
    }

    public func snapshots(run: String, before step: Int, limit: Int) async throws -> [CheckpointSnapshot] {
        let records: [CheckpointRecord]
        do { records = try store.checkpoints(run: run) } catch StoreError.unknownRun { return [] }
        // Newest version of each earlier step that was analysed.
        var byStep: [Int: CheckpointRecord] = [:]
        for r in records where r.step < step && r.status == .ok { byStep[r.step] = r }
        let chosen = byStep.keys.sorted().suffix(limit).map { byStep[$0]! }
        return try chosen.compactMap { r in
            guard let report = try store.report(of: r) else { return nil }
            return CheckpointSnapshot(step: r.step, rows: report.layers, summary: report.summary)
        }
    }

    public func analysed(run: String, last: Int) async throws -> [AnalysedCheckpoint] {
        let records: [CheckpointRecord]
        do { records = try store.checkpoints(run: run) } catch StoreError.unknownRun { return [] }
        var byStep: [Int: CheckpointRecord] = [:]
        for r in records where r.status == .ok { byStep[r.step] = r }
        return try byStep.keys.sorted().suffix(last).compactMap { step in
            guard let report = try store.report(of: byStep[step]!) else { return nil }
            return AnalysedCheckpoint(step: step, rows: report.layers, summary: report.summary)
        }
    }

    public func record(_ events: [AlertEvent]) async throws {
        try store.write { db in
            for e in events where e.kind != .test {
                let a = e.alert, fp = a.fingerprint
                let layer: String? = fp.layer.isEmpty ? nil : fp.layer
                switch e.kind {
                case .fired:
                    let runID = try Self.runID(db, fp.run)
                    try db.execute(sql: """
                        INSERT INTO alerts (fingerprint, rule, run_id, layer, state, step, value, threshold,
                                            message, fired_at, resolved_at, last_sent_at)
                        VALUES (?, ?, ?, ?, 'firing', ?, ?, ?, ?, ?, NULL, ?)
                        ON CONFLICT (fingerprint) WHERE state = 'firing' DO UPDATE SET
                            step = excluded.step, value = excluded.value, threshold = excluded.threshold,
                            message = excluded.message, last_sent_at = excluded.last_sent_at
                        """, arguments: [fp.description, fp.rule.rawValue, runID, layer, a.step,
                                         finite(a.value), finite(a.threshold), a.message,
                                         a.firedAt.timeIntervalSince1970, a.lastSentAt.timeIntervalSince1970])
                case .repeated:
                    try db.execute(sql: """
                        UPDATE alerts SET step = ?, value = ?, threshold = ?, message = ?, last_sent_at = ?
                        WHERE fingerprint = ? AND state = 'firing'
                        """, arguments: [a.step, finite(a.value), finite(a.threshold), a.message,
                                         a.lastSentAt.timeIntervalSince1970, fp.description])
                case .resolved:
                    try db.execute(sql: """
                        UPDATE alerts SET state = 'resolved', step = ?, resolved_at = ?, last_sent_at = ?
                        WHERE fingerprint = ? AND state = 'firing'
                        """, arguments: [a.step, (a.resolvedAt ?? e.at).timeIntervalSince1970,
                                         a.lastSentAt.timeIntervalSince1970, fp.description])
                case .test:
                    break
                }
            }
        }
    }

    // MARK: HookRunSink

    /// One `hook_runs` row per event the invocation carried (a coalesced batch shares its
    /// start, duration and status), so every alert can be traced to the runs that told of it.
    public func hookRunFinished(_ rec: HookRunRecord) async {
        do {
            try store.write { db in
                for fp in rec.alerts {
                    let alertID = try Int64.fetchOne(db, sql: "SELECT id FROM alerts WHERE fingerprint = ? ORDER BY id DESC LIMIT 1",
                                                     arguments: [fp.description])
                    try db.execute(sql: """
                        INSERT INTO hook_runs (hook, alert_id, started_at, duration, exit_status, stderr_tail)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [rec.hook, alertID, rec.startedAt.timeIntervalSince1970,
                                         rec.durationSeconds, rec.exitStatus, rec.stderrTail])
                }
            }
        } catch {
            logger.error("could not record hook run", metadata: ["hook": "\(rec.hook)", "error": "\(error)"])
        }
    }

    // MARK: queries

    /// Alerts, newest first; `run` nil for every run. An unknown run is an error naming the
    /// runs that exist.
    public func list(run: String?, state: State) throws -> [StoredAlert] {
        try store.read { db in
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
            if state != .all { clauses.append("a.state = ?"); args.append(state.rawValue) }
            if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
            sql += " ORDER BY a.fired_at DESC, a.id DESC"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { row in
                StoredAlert(id: row["id"], run: row["run"], rule: row["rule"],
                            layer: (row["layer"] as String?) ?? "",
                            state: AlertStatus(rawValue: row["state"]) ?? .resolved,
                            step: row["step"], value: row["value"], threshold: row["threshold"],
                            message: row["message"],
                            firedAt: Date(timeIntervalSince1970: row["fired_at"]),
                            resolvedAt: (row["resolved_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                            lastSentAt: (row["last_sent_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    /// Hook runs, oldest first.
    public func hookRuns() throws -> [StoredHookRun] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM hook_runs ORDER BY id").map { row in
                StoredHookRun(hook: row["hook"], alertID: row["alert_id"],
                              startedAt: Date(timeIntervalSince1970: row["started_at"]),
                              duration: row["duration"] ?? 0, exitStatus: row["exit_status"] ?? -1,
                              stderrTail: row["stderr_tail"] ?? "")
            }
        }
    }

    /// The run's id; a run not yet in the store (an alert can precede its first good
    /// checkpoint) is created the way Store names runs.
    private static func runID(_ db: Database, _ run: String) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE name = ?", arguments: [run]) { return id }
        try db.execute(sql: "INSERT INTO runs (name, root, created_at) VALUES (?, NULL, ?)",
                       arguments: [run, Date().timeIntervalSince1970])
        return db.lastInsertedRowID
    }
}

private func finite(_ v: Double?) -> Double? { v.flatMap { $0.isFinite ? $0 : nil } }

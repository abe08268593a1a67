import Foundation
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

/// The alert engine's view of the history database: Store's `alerts`, `hook_runs` and
/// `hook_outbox` tables (all SQL in Sources/Store/HistoryStore+Alerts.swift), plus the
/// checkpoints the rules read as history.
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
        // Newest version of each earlier step that was analysed.
        try store.analysedCheckpoints(run: run, before: step, last: limit).compactMap { r in
            guard let report = try store.report(of: r) else { return nil }
            return CheckpointSnapshot(step: r.step, rows: report.layers, summary: report.summary)
        }
    }

    public func analysed(run: String, last: Int) async throws -> [AnalysedCheckpoint] {
        try store.analysedCheckpoints(run: run, last: last).compactMap { r in
            guard let report = try store.report(of: r) else { return nil }
            return AnalysedCheckpoint(step: r.step, rows: report.layers, summary: report.summary)
        }
    }

    public func record(_ events: [AlertEvent], for hooks: [HookConfig]) async throws -> [HookDelivery] {
        let kept = events.filter { $0.kind != .test }
        let transitions = kept.map { e -> AlertTransitionRecord in
            let a = e.alert, fp = a.fingerprint
            let kind: AlertTransitionRecord.Kind = e.kind == .fired ? .fired : e.kind == .repeated ? .repeated : .resolved
            return AlertTransitionRecord(kind: kind, fingerprint: fp.description, rule: fp.rule.rawValue, run: fp.run,
                                         layer: fp.layer.isEmpty ? nil : fp.layer, step: a.step, value: a.value,
                                         threshold: a.threshold, message: a.message, firedAt: a.firedAt,
                                         resolvedAt: a.resolvedAt ?? (e.kind == .resolved ? e.at : nil),
                                         lastSentAt: a.lastSentAt)
        }
        var outbox: [(hook: String, transition: Int, event: Data)] = []
        for (i, e) in kept.enumerated() {
            let json = try HookDelivery.encode(e)
            for h in hooks where h.accepts(e) { outbox.append((h.name, i, json)) }
        }
        let rows = try store.recordAlertTransitions(transitions, outbox: outbox)
        return zip(rows, outbox).map { row, o in HookDelivery(id: row.id, hook: row.hook, event: kept[o.transition]) }
    }

    public func unsentDeliveries() async throws -> [HookDelivery] {
        try store.unsentHookEvents().compactMap { row in
            guard let e = try? HookDelivery.decode(row.event) else {
                logger.error("undecodable hook event in the outbox; skipped", metadata: ["outbox.id": "\(row.id)"])
                return nil
            }
            return HookDelivery(id: row.id, hook: row.hook, event: e)
        }
    }

    // MARK: HookRunSink

    /// One `hook_runs` row per event the invocation carried (a coalesced batch shares its
    /// start, duration and status), so every alert can be traced to the runs that told of it;
    /// the events' outbox rows are marked sent in the same transaction.
    public func hookRunFinished(_ rec: HookRunRecord) async {
        do {
            try store.recordHookRun(hook: rec.hook, fingerprints: rec.alerts.map(\.description), outboxIDs: rec.eventIDs,
                                    startedAt: rec.startedAt, duration: rec.durationSeconds,
                                    exitStatus: rec.exitStatus, stderrTail: rec.stderrTail)
        } catch {
            logger.error("could not record hook run", metadata: ["hook": "\(rec.hook)", "error": "\(error)"])
        }
    }

    // MARK: queries

    /// Alerts, newest first; `run` nil for every run. An unknown run is an error naming the
    /// runs that exist.
    public func list(run: String?, state: State) throws -> [StoredAlert] {
        try store.alerts(run: run, state: state == .all ? nil : state.rawValue).map { r in
            StoredAlert(id: r.id, run: r.run, rule: r.rule, layer: r.layer ?? "",
                        state: AlertStatus(rawValue: r.state) ?? .resolved, step: r.step, value: r.value,
                        threshold: r.threshold, message: r.message, firedAt: r.firedAt,
                        resolvedAt: r.resolvedAt, lastSentAt: r.lastSentAt)
        }
    }

    /// Hook runs, oldest first.
    public func hookRuns() throws -> [StoredHookRun] {
        try store.hookRunRows().map { r in
            StoredHookRun(hook: r.hook, alertID: r.alertID, startedAt: r.startedAt, duration: r.duration,
                          exitStatus: r.exitStatus, stderrTail: r.stderrTail)
        }
    }
}

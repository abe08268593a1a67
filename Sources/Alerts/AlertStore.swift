import Foundation
import Metrics

/// What the alert pipeline needs from the history store. The store-backed implementation
/// goes over `Store.HistoryStore`'s `alerts` and `hook_runs` tables (see HookRunSink).
public protocol AlertStore: Sendable {
    /// Firing alerts of every run, to resume the lifecycle after a restart.
    func firingAlerts() async throws -> [AlertState]
    /// The run's analysed checkpoints with step < `step`, oldest first, at most `limit`.
    func snapshots(run: String, before step: Int, limit: Int) async throws -> [CheckpointSnapshot]
    /// The run's newest `last` analysed checkpoints (one per step), oldest first, with their rows.
    func analysed(run: String, last: Int) async throws -> [AnalysedCheckpoint]
    /// Persists transitions in order (`fired` inserts a firing row; `repeated` updates it;
    /// `resolved` marks it resolved) together with one outbox entry per event and hook that
    /// accepts it, in one transaction; returns those entries for delivery.
    func record(_ events: [AlertEvent], for hooks: [HookConfig]) async throws -> [HookDelivery]
    /// Outbox entries not yet marked sent (a crash came between the alert and its hook).
    func unsentDeliveries() async throws -> [HookDelivery]
}

/// One analysed checkpoint as the rules judge it: its step, rows and summary.
public struct AnalysedCheckpoint: Sendable {
    public var step: Int
    public var rows: [LayerReport]
    public var summary: Summary
    public init(step: Int, rows: [LayerReport], summary: Summary) {
        self.step = step; self.rows = rows; self.summary = summary
    }
}

/// One event owed to one hook. `id` is the outbox row's id: the event id a hook can dedupe on
/// (delivery is at least once: an event may come again after a crash).
public struct HookDelivery: Sendable, Equatable {
    public var id: Int64
    public var hook: String
    public var event: AlertEvent

    public init(id: Int64, hook: String, event: AlertEvent) { self.id = id; self.hook = hook; self.event = event }

    static func encode(_ e: AlertEvent) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try enc.encode(e)
    }

    static func decode(_ d: Data) throws -> AlertEvent {
        let dec = JSONDecoder()
        dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try dec.decode(AlertEvent.self, from: d)
    }
}

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
    /// Persists transitions in order: `fired` inserts a firing row; `repeated` updates it
    /// (value, message, last_sent_at); `resolved` marks it resolved.
    func record(_ events: [AlertEvent]) async throws
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

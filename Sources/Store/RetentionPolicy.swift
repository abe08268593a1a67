/// `[store.retention]` / `wwmon prune` rules, per run. A checkpoint is *recent* when it is
/// among the run's `keepLast` newest (by step) or was analysed within `keepDays`; recent ones
/// are all kept. Older ones are thinned to one per `keepEvery` save intervals, or all removed
/// when `keepEvery` is nil. Runs whose newest checkpoint is older than `dropRunsAfterDays` go
/// whole. No rule set: nothing is removed.
public struct RetentionPolicy: Sendable, Equatable {
    public var keepDays: Double?
    public var keepLast: Int?
    /// k ≥ 1: keep one checkpoint per k save intervals beyond the recent window (1 keeps all).
    public var keepEvery: Int?
    public var dropRunsAfterDays: Double?

    public init(keepDays: Double? = nil, keepLast: Int? = nil, keepEvery: Int? = nil,
                dropRunsAfterDays: Double? = nil) {
        self.keepDays = keepDays; self.keepLast = keepLast
        self.keepEvery = keepEvery; self.dropRunsAfterDays = dropRunsAfterDays
    }

    /// Thinning needs a window to keep: without `keepDays`/`keepLast` only whole runs are dropped.
    public var thins: Bool { keepDays != nil || keepLast != nil }
    public var isEmpty: Bool { !thins && dropRunsAfterDays == nil }

    /// The problem with the rules as a sentence, or nil (config decoding and CLI flags share it).
    public var problem: String? {
        if let d = keepDays, !(d >= 0 && d.isFinite) { return "keep_days must be a finite number ≥ 0" }
        if let n = keepLast, n < 1 { return "keep_last must be ≥ 1" }
        if let k = keepEvery, k < 1 { return "keep_every must be ≥ 1" }
        if let d = dropRunsAfterDays, !(d > 0 && d.isFinite) { return "drop_runs_after_days must be a finite number > 0" }
        if keepEvery != nil && !thins { return "keep_every needs keep_days or keep_last (the window kept whole)" }
        return nil
    }
}

/// One checkpoint row retention removes (or would remove).
public struct PrunedCheckpoint: Sendable, Equatable {
    public var id: Int64
    public var run: String
    public var step: Int
    public var version: Int
    public var path: String
    public var analyzedAt: Double
}

/// What the rules remove now: whole runs, then single checkpoints of the runs that stay.
public struct RetentionPlan: Sendable, Equatable {
    public struct RunDrop: Sendable, Equatable {
        public var id: Int64
        public var run: String
        public var checkpoints: Int
        public var lastAnalyzedAt: Double?
    }
    public var runs: [RunDrop] = []
    public var checkpoints: [PrunedCheckpoint] = []
    public var isEmpty: Bool { runs.isEmpty && checkpoints.isEmpty }
    public init() {}
}

/// The outcome of applying a plan.
public struct PruneResult: Sendable, Equatable {
    public var plan: RetentionPlan
    /// Write transactions used (each removes at most `batchSize` checkpoints).
    public var batches: Int
    /// Database file pages returned to the file system by incremental vacuum.
    public var pagesFreed: Int
    public var pageSize: Int
    public var bytesFreed: Int { pagesFreed * pageSize }
}

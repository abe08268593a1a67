import Metrics
import Store

/// One layer's fit at one checkpoint, as the rules need it from history.
public struct LayerSample: Sendable, Equatable {
    public var alpha: Double
    /// WeightWatcher status `success`; failed fits (alpha −1, NaN) are kept but never judged.
    public var fitted: Bool

    public init(alpha: Double, fitted: Bool) { self.alpha = alpha; self.fitted = fitted }

    public init(_ row: LayerReport) {
        self.init(alpha: row.alpha, fitted: row.isFitted)
    }
}

/// One recorded checkpoint of a run: per-layer alphas and the run-level means.
public struct CheckpointSnapshot: Sendable, Equatable {
    public var step: Int
    /// Keyed by `LayerReport.alertKey`.
    public var layers: [String: LayerSample]
    public var summary: Summary

    public init(step: Int, layers: [String: LayerSample], summary: Summary) {
        self.step = step; self.layers = layers; self.summary = summary
    }

    public init(step: Int, rows: [LayerReport], summary: Summary) {
        var layers: [String: LayerSample] = [:]
        for r in rows { layers[r.alertKey] = LayerSample(r) }
        self.init(step: step, layers: layers, summary: summary)
    }
}

/// What the rules see after a checkpoint was recorded (or failed to be read).
public struct RuleInput: Sendable {
    public enum Outcome: Sendable {
        /// The new checkpoint's rows and summary.
        case analysed(rows: [LayerReport], summary: Summary)
        /// The checkpoint could not be read or analysed; `error` names the file and problem.
        case failed(path: String, error: String)
    }

    public var run: String
    public var step: Int
    public var outcome: Outcome
    /// Earlier successfully analysed checkpoints of this run, oldest first, not including
    /// this one. Only the last `max(driftWindow, trendWindow + reversalSteps)` are used.
    public var history: [CheckpointSnapshot]

    public init(run: String, step: Int, outcome: Outcome, history: [CheckpointSnapshot]) {
        self.run = run; self.step = step; self.outcome = outcome; self.history = history
    }
}

extension LayerReport {
    /// The layer's identity across checkpoints (conv slices are separate series).
    /// The store's layer identity (`LayerKey`), so an alert's layer is the name `wwmon history
    /// --layer` takes.
    public var alertKey: String { LayerKey.of(self) }

    /// A successful power-law fit; WW's failed fits (status failed, alpha −1) are not
    /// evidence of over-training.
    public var isFitted: Bool { status == "success" && alpha.isFinite && alpha > 0 }
}

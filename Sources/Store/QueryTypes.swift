import Foundation
import Metrics

/// One line of `wwmon runs`.
public struct RunOverview: Sendable, Equatable {
    public var run: String
    public var root: String?
    public var checkpoints: Int
    public var errors: Int
    public var firstStep: Int?
    public var lastStep: Int?
    public var lastAnalyzedAt: Date?
    /// ⟨alpha⟩ / ⟨alpha_weighted⟩ of the latest analysed checkpoint.
    public var lastAlpha: Double?
    public var lastAlphaWeighted: Double?
    public var alertsFiring: Int
}

public enum CheckpointStatus: String, Sendable, Codable {
    case ok, error
    /// Seen, then deleted (rotated away) before it could be read: a save nobody can analyse now.
    case vanished
}

/// One recorded checkpoint version.
public struct CheckpointRecord: Sendable, Equatable {
    public var id: Int64
    public var run: String
    public var path: String
    /// 1 for the first content seen at `path`, +1 for each rewrite in place.
    public var version: Int
    public var step: Int
    public var epoch: Double?
    /// framework | optimizer | name | arrival | user (`Checkpoint.StepSource`)
    public var stepSource: String
    public var format: String?
    public var identity: CheckpointIdentity
    public var analyzedAt: Date
    public var durationSeconds: Double
    public var status: CheckpointStatus
    public var error: String?
    public var aliases: [String: String]
    /// nil for checkpoints that could not be analysed.
    public var summary: Summary?
    /// Training metrics (eval_loss, ...) read from the checkpoint or attached by `wwmon note`.
    public var training: [String: Double] = [:]
    /// Other files recorded as this same point (equal tensors: last.ckpt, a final save_model()).
    public var aliasPaths: [String] = []
}

/// One point of a time series. `value` is NaN where the store has no finite number
/// (WeightWatcher's NaN/None); `layerStatus` is the row's `status` (failed fits are gaps).
public struct SeriesPoint: Sendable {
    public var checkpointID: Int64
    public var step: Int
    public var epoch: Double?
    public var time: Date
    public var value: Double
    /// `success`/`failed` for layer rows, `ok`/`error` for summary points.
    public var status: String

    /// True where a chart should leave a gap: failed fits, unreadable checkpoints, no value.
    public var isGap: Bool { value.isNaN || status == "failed" || status == "error" }
}

/// A named series (a layer's, or nil for the summary).
public struct Series: Sendable {
    public var layer: String?
    public var metric: String
    public var points: [SeriesPoint]

    public init(layer: String?, metric: String, points: [SeriesPoint]) {
        self.layer = layer; self.metric = metric; self.points = points
    }
}

/// One layer's change between two checkpoints.
public struct LayerDelta: Sendable {
    public var layer: String
    public var from: Double
    public var to: Double
    public var delta: Double { to - from }
}

/// `wwmon compare`: per-layer deltas, biggest movers first, plus both summaries.
public struct Comparison: Sendable {
    public var from: CheckpointRecord
    public var to: CheckpointRecord
    public var metric: LayerMetric
    /// Sorted by |delta| descending; non-finite deltas last.
    public var deltas: [LayerDelta]
    public var onlyInFrom: [String]
    public var onlyInTo: [String]
    /// Analysed layer counts: a different depth changes which summary metric is meaningful.
    public var depthFrom: Int
    public var depthTo: Int
    public var crossRun: Bool { from.run != to.run }
    public var differentDepth: Bool { depthFrom != depthTo }
}

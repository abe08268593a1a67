/// The WeightWatcher averages a sweep is compared on, in the order `wwmon rank` prints them.
public enum SweepMetric: String, Sendable, CaseIterable, Codable {
    case alpha
    case alphaWeighted = "alpha_weighted"
    case logSpectralNorm = "log_spectral_norm"
    case logNorm = "log_norm"
}

/// One run at the checkpoint chosen for comparison (or one checkpoint along a run).
public struct SweepPoint: Sendable, Equatable {
    public var run: String
    public var group: String
    public var step: Int
    public var epoch: Double?
    /// ⟨metric⟩ over the checkpoint's layers; NaN where it has none.
    public var metrics: [SweepMetric: Double]
    /// Training metrics recorded with the checkpoint (`wwmon note`, framework logs).
    public var training: [String: Double]

    public init(run: String, group: String, step: Int, epoch: Double? = nil,
                metrics: [SweepMetric: Double], training: [String: Double] = [:]) {
        self.run = run; self.group = group; self.step = step; self.epoch = epoch
        self.metrics = metrics; self.training = training
    }

    public func value(_ m: SweepMetric) -> Double { metrics[m] ?? .nan }
}

/// Per-layer metrics a series can be drawn for: the numeric columns of the analyze contract.
/// The raw value doubles as the SQL column name, so only these names ever reach SQL.
public enum LayerMetric: String, Sendable, CaseIterable, Codable {
    case alpha, alphaWeighted = "alpha_weighted", logNorm = "log_norm"
    case logSpectralNorm = "log_spectral_norm", logAlphaNorm = "log_alpha_norm"
    case stableRank = "stable_rank", entropy, D, sigma, lambdaMax = "lambda_max", norm
    case spectralNorm = "spectral_norm", svMax = "sv_max", svMin = "sv_min", xmin, xmax
    case numPLSpikes = "num_pl_spikes", matrixRank = "matrix_rank", rankLoss = "rank_loss"
    case weakRankLoss = "weak_rank_loss", numEvals = "num_evals", N, M, Q
    // fix_fingers = clip_xmax (null in rows analysed without it).
    case numFingers = "num_fingers", rawAlpha = "raw_alpha"

    /// WeightWatcher's healthy range, where the metric has one (alpha: 2–6).
    public var healthyRange: ClosedRange<Double>? { self == .alpha ? 2.0...6.0 : nil }
}

/// Per-checkpoint summary metrics (WeightWatcher's `get_summary()` means plus layer counts).
public enum SummaryMetric: String, Sendable, CaseIterable, Codable {
    case alpha, alphaWeighted = "alpha_weighted", logNorm = "log_norm"
    case logAlphaNorm = "log_alpha_norm", logSpectralNorm = "log_spectral_norm"
    case stableRank = "stable_rank", layersAnalyzed = "layers_analyzed"
    case layersSkipped = "layers_skipped", layersFailed = "layers_failed"

    /// ⟨alpha⟩ below 2 is WeightWatcher's early-stopping hint; above 6 under-trained.
    public var healthyRange: ClosedRange<Double>? { self == .alpha ? 2.0...6.0 : nil }
}

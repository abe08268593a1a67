/// WeightWatcher 0.7.7's defaults for `analyze()` (Tests/Fixtures/reference/ww-defaults.json,
/// checked against it by Tests/MetricsTests/WWDefaultsTests.swift).
public enum WWDefaults {
    /// Layers with fewer eigenvalues (M·rf, or M per slice with pool = false) are skipped.
    public static let minEvals = 8
    /// Layers with more eigenvalues are skipped.
    public static let maxEvals = 15000
    /// Layers whose larger side exceeds this are skipped.
    public static let maxN = 50000
    /// Only eigenvalues strictly above this enter the power-law fit (absolute, scale dependent).
    public static let evalsThreshold = 1e-5
    /// `weak_rank_loss` counts eigenvalues below this.
    public static let weakRankTolerance = 1e-6
    /// Entropy regulariser (CPU hosts; WW uses 6e-5 where torch sees CUDA).
    public static let entropyEpsilon = 1e-10
    /// alpha below this is labelled `over-trained`, above `underTrained` `under-trained`.
    public static let overTrained = 2.0
    public static let underTrained = 6.0
    /// Below this many fitted eigenvalues WW 0.7.6+ takes its small-sample path.
    public static let smallNCutoff = 20
    /// Shortest tail the small-sample path scores.
    public static let smallNMinTail = 8
}

/// WeightWatcher's `get_summary()`: plain means over the rows, NaN skipped (pandas `mean`),
/// failed fits' −1 and ±inf included as WW includes them. Plus layer counts beyond WW.
public struct Summary: Sendable, Equatable, Codable {
    public var logNorm: Double
    public var alpha: Double
    public var alphaWeighted: Double
    public var logAlphaNorm: Double
    public var logSpectralNorm: Double
    public var stableRank: Double
    /// Layers (or conv slices with pool = false) that produced a row with status success.
    public var layersAnalyzed: Int
    /// Weight tensors WeightWatcher would not analyse (1-D, too small or too large, ...).
    public var layersSkipped: Int
    /// Rows whose status is failed (non-finite weights, failed fit).
    public var layersFailed: Int
    /// ⟨mp_softrank⟩, which WW's get_summary() adds with mp_fit = True; nil otherwise.
    public var mpSoftrank: Double? = nil

    enum CodingKeys: String, CodingKey {
        case logNorm = "log_norm", alpha, alphaWeighted = "alpha_weighted"
        case logAlphaNorm = "log_alpha_norm", logSpectralNorm = "log_spectral_norm"
        case stableRank = "stable_rank", layersAnalyzed = "layers_analyzed"
        case layersSkipped = "layers_skipped", layersFailed = "layers_failed"
        case mpSoftrank = "mp_softrank"
    }

    public init(logNorm: Double, alpha: Double, alphaWeighted: Double, logAlphaNorm: Double,
                logSpectralNorm: Double, stableRank: Double, layersAnalyzed: Int,
                layersSkipped: Int, layersFailed: Int) {
        self.logNorm = logNorm; self.alpha = alpha; self.alphaWeighted = alphaWeighted
        self.logAlphaNorm = logAlphaNorm; self.logSpectralNorm = logSpectralNorm
        self.stableRank = stableRank; self.layersAnalyzed = layersAnalyzed
        self.layersSkipped = layersSkipped; self.layersFailed = layersFailed
    }

    /// The summary of a set of rows, as WeightWatcher computes it.
    public init(rows: [LayerReport], skipped: Int) {
        func mean(_ f: (LayerReport) -> Double) -> Double {
            var s = 0.0, n = 0
            for r in rows { let v = f(r); if !v.isNaN { s += v; n += 1 } }
            return n == 0 ? .nan : s / Double(n)
        }
        self.init(logNorm: mean(\.logNorm), alpha: mean(\.alpha), alphaWeighted: mean(\.alphaWeighted),
                  logAlphaNorm: mean(\.logAlphaNorm), logSpectralNorm: mean(\.logSpectralNorm),
                  stableRank: mean(\.stableRank),
                  layersAnalyzed: rows.filter { $0.status == "success" }.count,
                  layersSkipped: skipped,
                  layersFailed: rows.filter { $0.status != "success" }.count)
        if rows.contains(where: { $0.mpSoftrank != nil }) {
            mpSoftrank = mean { $0.mpSoftrank ?? .nan }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeFinite(logNorm, forKey: .logNorm); try c.encodeFinite(alpha, forKey: .alpha)
        try c.encodeFinite(alphaWeighted, forKey: .alphaWeighted)
        try c.encodeFinite(logAlphaNorm, forKey: .logAlphaNorm)
        try c.encodeFinite(logSpectralNorm, forKey: .logSpectralNorm)
        try c.encodeFinite(stableRank, forKey: .stableRank)
        try c.encode(layersAnalyzed, forKey: .layersAnalyzed)
        try c.encode(layersSkipped, forKey: .layersSkipped)
        try c.encode(layersFailed, forKey: .layersFailed)
        if let m = mpSoftrank { try c.encodeFinite(m, forKey: .mpSoftrank) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func d(_ k: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: k) ?? .nan }
        logNorm = try d(.logNorm); alpha = try d(.alpha); alphaWeighted = try d(.alphaWeighted)
        logAlphaNorm = try d(.logAlphaNorm); logSpectralNorm = try d(.logSpectralNorm)
        stableRank = try d(.stableRank)
        layersAnalyzed = try c.decodeIfPresent(Int.self, forKey: .layersAnalyzed) ?? 0
        layersSkipped = try c.decodeIfPresent(Int.self, forKey: .layersSkipped) ?? 0
        layersFailed = try c.decodeIfPresent(Int.self, forKey: .layersFailed) ?? 0
        mpSoftrank = try c.decodeIfPresent(Double.self, forKey: .mpSoftrank)
    }
}

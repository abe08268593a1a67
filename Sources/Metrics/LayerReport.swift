/// One row of WeightWatcher 0.7.7's `analyze()` details, with its column names.
/// This is the `wwmon analyze --format json` contract: keep the keys stable.
public struct LayerReport: Sendable, Equatable, Codable {
    public var layerID: Int
    public var name: String
    public var longname: String
    public var layerType: String
    public var N: Int
    public var M: Int
    public var rf: Int
    public var Q: Double
    public var numEvals: Int
    public var svMax: Double
    public var svMin: Double
    public var rankLoss: Int
    public var weakRankLoss: Int
    public var lambdaMax: Double
    public var alpha: Double
    public var xmin: Double
    /// nil where WeightWatcher reports None (a failed fit).
    public var xmax: Double?
    public var D: Double
    public var sigma: Double
    public var numPLSpikes: Int
    /// `success` or `failed`.
    public var status: String
    /// `over-trained`, `under-trained` or empty.
    public var warning: String
    public var norm: Double
    public var logNorm: Double
    public var spectralNorm: Double
    public var logSpectralNorm: Double
    public var alphaWeighted: Double
    public var logAlphaNorm: Double
    public var stableRank: Double
    public var matrixRank: Int
    public var entropy: Double
    /// Conv slice index with pool = false; nil otherwise.
    public var sliceID: Int?
    /// Beyond WeightWatcher: why a layer failed (non-finite weights, a failed fit, ...).
    public var reason: String?
    /// Beyond WeightWatcher: the ESD itself, λ ascending as float32 (what the fit saw; the
    /// dashboard's ESD plots). Not in the JSON contract (no CodingKey): nil where a row was
    /// decoded, reused from the store, or failed.
    public var eigenvalues: [Float]?

    enum CodingKeys: String, CodingKey {
        case layerID = "layer_id", name, longname, layerType = "layer_type", N, M, rf, Q
        case numEvals = "num_evals", svMax = "sv_max", svMin = "sv_min", rankLoss = "rank_loss"
        case weakRankLoss = "weak_rank_loss", lambdaMax = "lambda_max", alpha, xmin, xmax, D, sigma
        case numPLSpikes = "num_pl_spikes", status, warning, norm, logNorm = "log_norm"
        case spectralNorm = "spectral_norm", logSpectralNorm = "log_spectral_norm"
        case alphaWeighted = "alpha_weighted", logAlphaNorm = "log_alpha_norm"
        case stableRank = "stable_rank", matrixRank = "matrix_rank", entropy
        case sliceID = "slice_id", reason
    }

    public init(layerID: Int, name: String, longname: String, layerType: String, N: Int, M: Int,
                rf: Int, Q: Double, numEvals: Int, svMax: Double, svMin: Double, rankLoss: Int,
                weakRankLoss: Int, lambdaMax: Double, alpha: Double, xmin: Double, xmax: Double?,
                D: Double, sigma: Double, numPLSpikes: Int, status: String, warning: String,
                norm: Double, logNorm: Double, spectralNorm: Double, logSpectralNorm: Double,
                alphaWeighted: Double, logAlphaNorm: Double, stableRank: Double, matrixRank: Int,
                entropy: Double, sliceID: Int? = nil, reason: String? = nil, eigenvalues: [Float]? = nil) {
        self.layerID = layerID; self.name = name; self.longname = longname
        self.layerType = layerType; self.N = N; self.M = M; self.rf = rf; self.Q = Q
        self.numEvals = numEvals; self.svMax = svMax; self.svMin = svMin; self.rankLoss = rankLoss
        self.weakRankLoss = weakRankLoss; self.lambdaMax = lambdaMax; self.alpha = alpha
        self.xmin = xmin; self.xmax = xmax; self.D = D; self.sigma = sigma
        self.numPLSpikes = numPLSpikes; self.status = status; self.warning = warning
        self.norm = norm; self.logNorm = logNorm; self.spectralNorm = spectralNorm
        self.logSpectralNorm = logSpectralNorm; self.alphaWeighted = alphaWeighted
        self.logAlphaNorm = logAlphaNorm; self.stableRank = stableRank
        self.matrixRank = matrixRank; self.entropy = entropy; self.sliceID = sliceID
        self.reason = reason; self.eigenvalues = eigenvalues
    }

    // Non-finite numbers are `null` in JSON (WW's NaN/inf/None); decoding maps null back to NaN.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(layerID, forKey: .layerID); try c.encode(name, forKey: .name)
        try c.encode(longname, forKey: .longname); try c.encode(layerType, forKey: .layerType)
        try c.encode(N, forKey: .N); try c.encode(M, forKey: .M); try c.encode(rf, forKey: .rf)
        try c.encodeFinite(Q, forKey: .Q); try c.encode(numEvals, forKey: .numEvals)
        try c.encodeFinite(svMax, forKey: .svMax); try c.encodeFinite(svMin, forKey: .svMin)
        try c.encode(rankLoss, forKey: .rankLoss); try c.encode(weakRankLoss, forKey: .weakRankLoss)
        try c.encodeFinite(lambdaMax, forKey: .lambdaMax); try c.encodeFinite(alpha, forKey: .alpha)
        try c.encodeFinite(xmin, forKey: .xmin); try c.encodeFinite(xmax ?? .nan, forKey: .xmax)
        try c.encodeFinite(D, forKey: .D); try c.encodeFinite(sigma, forKey: .sigma)
        try c.encode(numPLSpikes, forKey: .numPLSpikes); try c.encode(status, forKey: .status)
        try c.encode(warning, forKey: .warning); try c.encodeFinite(norm, forKey: .norm)
        try c.encodeFinite(logNorm, forKey: .logNorm)
        try c.encodeFinite(spectralNorm, forKey: .spectralNorm)
        try c.encodeFinite(logSpectralNorm, forKey: .logSpectralNorm)
        try c.encodeFinite(alphaWeighted, forKey: .alphaWeighted)
        try c.encodeFinite(logAlphaNorm, forKey: .logAlphaNorm)
        try c.encodeFinite(stableRank, forKey: .stableRank)
        try c.encode(matrixRank, forKey: .matrixRank); try c.encodeFinite(entropy, forKey: .entropy)
        try c.encodeIfPresent(sliceID, forKey: .sliceID)
        try c.encodeIfPresent(reason, forKey: .reason)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func d(_ k: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: k) ?? .nan }
        layerID = try c.decode(Int.self, forKey: .layerID); name = try c.decode(String.self, forKey: .name)
        longname = try c.decode(String.self, forKey: .longname)
        layerType = try c.decode(String.self, forKey: .layerType)
        N = try c.decode(Int.self, forKey: .N); M = try c.decode(Int.self, forKey: .M)
        rf = try c.decode(Int.self, forKey: .rf); Q = try d(.Q)
        numEvals = try c.decode(Int.self, forKey: .numEvals)
        svMax = try d(.svMax); svMin = try d(.svMin)
        rankLoss = try c.decode(Int.self, forKey: .rankLoss)
        weakRankLoss = try c.decode(Int.self, forKey: .weakRankLoss)
        lambdaMax = try d(.lambdaMax); alpha = try d(.alpha); xmin = try d(.xmin)
        xmax = try c.decodeIfPresent(Double.self, forKey: .xmax)
        D = try d(.D); sigma = try d(.sigma)
        numPLSpikes = try c.decode(Int.self, forKey: .numPLSpikes)
        status = try c.decode(String.self, forKey: .status)
        warning = try c.decode(String.self, forKey: .warning)
        norm = try d(.norm); logNorm = try d(.logNorm); spectralNorm = try d(.spectralNorm)
        logSpectralNorm = try d(.logSpectralNorm); alphaWeighted = try d(.alphaWeighted)
        logAlphaNorm = try d(.logAlphaNorm); stableRank = try d(.stableRank)
        matrixRank = try c.decode(Int.self, forKey: .matrixRank); entropy = try d(.entropy)
        sliceID = try c.decodeIfPresent(Int.self, forKey: .sliceID)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
    }
}

extension KeyedEncodingContainer {
    /// Encodes a Double, writing `null` for NaN and ±infinity (JSON has no such numbers).
    public mutating func encodeFinite(_ v: Double, forKey key: Key) throws {
        if v.isFinite { try encode(v, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

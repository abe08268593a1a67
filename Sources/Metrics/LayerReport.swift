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

    /// fix_fingers = 'clip_xmax': eigenvalues clipped off the top (WW's `num_fingers`), and
    /// the alpha before clipping (`raw_alpha`). nil without the option.
    public var numFingers: Int? = nil
    public var rawAlpha: Double? = nil
    /// mp_fit = True: the Marchenko–Pastur fit (`MPFit`). nil without the option.
    public var numSpikes: Int? = nil
    public var sigmaMP: Double? = nil
    public var mpSoftrank: Double? = nil
    public var wScale: Double? = nil
    public var bulkMax: Double? = nil
    public var bulkMin: Double? = nil
    /// randomize = True (`RandomizedESD`). nil without the option.
    public var maxRandEval: Double? = nil
    public var randDistance: Double? = nil
    public var wwSoftrank: Double? = nil
    public var wwMaxdist: Double? = nil
    public var randNumSpikes: Int? = nil
    public var numTraps: Int? = nil
    public var randSigmaMP: Double? = nil
    public var randMPSoftrank: Double? = nil
    public var randWScale: Double? = nil
    public var randBulkMax: Double? = nil
    public var randBulkMin: Double? = nil

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

    /// A row with every number unknown, filled column by column (decoding, the Store).
    public static var blank: LayerReport {
        LayerReport(layerID: 0, name: "", longname: "", layerType: "", N: 0, M: 0, rf: 1, Q: .nan,
                    numEvals: 0, svMax: .nan, svMin: .nan, rankLoss: 0, weakRankLoss: 0,
                    lambdaMax: .nan, alpha: .nan, xmin: .nan, xmax: nil, D: .nan, sigma: .nan,
                    numPLSpikes: -1, status: "", warning: "", norm: .nan, logNorm: .nan,
                    spectralNorm: .nan, logSpectralNorm: .nan, alphaWeighted: .nan,
                    logAlphaNorm: .nan, stableRank: .nan, matrixRank: 0, entropy: .nan)
    }

    /// The value of a column by WeightWatcher's name (nil for an unknown name).
    public subscript(column name: String) -> WWValue? { WWColumns.named(name)?.get(self) }

    // Keys and types come from `WWColumns`. Non-finite numbers are `null` in JSON (WW's
    // NaN/inf/None); decoding maps null back to NaN. Option columns a row lacks are left out.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: ColumnKey.self)
        for col in WWColumns.all {
            let key = ColumnKey(col.name)
            switch col.get(self) {
            case .int(let v): try c.encode(v, forKey: key)
            case .real(let v): try c.encodeFinite(v, forKey: key)
            case .text(let v): try c.encode(v, forKey: key)
            case .null: if col.always { try c.encodeNil(forKey: key) }
            }
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ColumnKey.self)
        var r = LayerReport.blank
        for col in WWColumns.all {
            let key = ColumnKey(col.name)
            let v: WWValue
            switch col.kind {
            case .int:
                // WW's integer columns are required; option columns may be absent.
                v = col.always ? .int(try c.decode(Int.self, forKey: key))
                    : (try c.decodeIfPresent(Int.self, forKey: key)).map(WWValue.int) ?? .null
            case .real:
                v = (try c.decodeIfPresent(Double.self, forKey: key)).map(WWValue.real) ?? .null
            case .text:
                v = col.always ? .text(try c.decode(String.self, forKey: key))
                    : (try c.decodeIfPresent(String.self, forKey: key)).map(WWValue.text) ?? .null
            }
            col.set(&r, v)
        }
        self = r
    }
}

/// A JSON key named by a `WWColumn`.
struct ColumnKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedEncodingContainer {
    /// Encodes a Double, writing `null` for NaN and ±infinity (JSON has no such numbers).
    public mutating func encodeFinite(_ v: Double, forKey key: Key) throws {
        if v.isFinite { try encode(v, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

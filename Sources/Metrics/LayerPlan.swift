/// How WeightWatcher turns one `*.weight` tensor into matrices, decided from its name and shape
/// alone (no bytes needed), so a reader can skip the bytes of layers that will not be analysed.
public struct LayerPlan: Sendable, Equatable {
    public enum Kind: String, Sendable { case dense, conv2d }

    public var layerID: Int
    /// Tensor key without its `.weight` suffix.
    public var name: String
    public var kind: Kind
    public var shape: [Int]
    /// Reported N and M (for conv, after WW's even-kernel swap quirk).
    public var N: Int
    public var M: Int
    /// kh·kw for conv2d, 1 for dense.
    public var rf: Int
    public var pool: Bool
    /// Input size N for the conv linear-operator spectrum (`conv = operator`); nil otherwise.
    public var operatorSize: Int? = nil

    /// Larger matrix side, used in the rank tolerance σ_max·N·ε (the real dimension,
    /// as numpy's matrix_rank uses, not the quirk-swapped N).
    public var rankN: Int {
        if let n = operatorSize { return n * n * max(shape[0], shape[1]) }
        return max(shape[0], shape[1])
    }

    /// Rows this plan produces: one, or one per kernel position with pool = false.
    public var rowCount: Int { kind == .conv2d && !pool && operatorSize == nil ? rf : 1 }

    /// Bytes of float64 working memory one computation of this layer needs at peak:
    /// the widened tensor, one matrix copy (conv slices), and the Gram matrix.
    public var workingBytes: Int {
        // Saturating: a hostile view's shape (stride 0 over one element) may be astronomically
        // large; the analysis compares this against its memory limit before allocating.
        var elements = 1
        for d in shape { elements = elements.multipliedReportingOverflow(by: d).overflow ? Int.max : elements * d }
        let side = min(shape[0], shape[1])
        let sliceBytes = kind == .conv2d ? shape[0].multipliedReportingOverflow(by: shape[1] * 8).partialValue : 0
        var parts = [elements.multipliedReportingOverflow(by: 8)]
        if let n = operatorSize {
            // Per-frequency blocks (complex, as a real 2c_out×2c_in matrix) and N²·min(c) values.
            parts += [shape[0].multipliedReportingOverflow(by: shape[1] * 32),
                      n.multipliedReportingOverflow(by: n).partialValue.multipliedReportingOverflow(by: side * 16)]
        } else {
            parts += [(sliceBytes, false), side.multipliedReportingOverflow(by: side * 8)]
        }
        var total = 0
        for (v, o) in parts {
            let (t, o2) = total.addingReportingOverflow(v)
            if o || o2 { return Int.max }
            total = t
        }
        return total
    }
}

/// Why a weight tensor produced no row (WW drops these silently; we count and say why).
public enum SkipReason: Error, Sendable, Equatable, CustomStringConvertible {
    case notWeight
    case notFloat(String)
    case unsupportedRank(Int)
    case tooFewEvals(Int, min: Int = WWDefaults.minEvals)
    case tooManyEvals(Int, max: Int = WWDefaults.maxEvals)
    case tooLarge(Int)
    /// Left out by the layer selection (`layers`, `exclude_layers`, `layer_ids`).
    case filtered(String)

    public var description: String {
        switch self {
        case .notWeight: "not a *.weight tensor"
        case .notFloat(let t): "dtype \(t) is not floating point"
        case .unsupportedRank(let r): "\(r)-D tensor (only 2-D and 4-D weights are analysed)"
        case .tooFewEvals(let n, let lim): "\(n) eigenvalues < min_evals \(lim)"
        case .tooManyEvals(let n, let lim): "\(n) eigenvalues > max_evals \(lim)"
        case .tooLarge(let n): "N = \(n) > max_N \(WWDefaults.maxN)"
        case .filtered(let why): "filtered out: \(why)"
        }
    }
}

public enum LayerPlanning {
    /// The plan for one tensor, or why it is skipped. `layerID` is the tensor's index among
    /// all `*.weight` tensors in iteration order (skipped ones count, as in WW's state-dict route).
    public static func plan(name: String, shape: [Int], isFloat: Bool, dtypeName: String,
                            layerID: Int, pool: Bool = true, selection: LayerSelection = .init(),
                            filter: LayerSelection.Filter? = nil,
                            operatorSize: Int? = nil) -> Result<LayerPlan, SkipReason> {
        guard name.hasSuffix(".weight") else { return .failure(.notWeight) }
        let base = String(name.dropLast(".weight".count))
        // WW applies `layers=[…]` first (layer_supported, rule 1).
        if let why = filter?.reason(name: base, layerID: layerID) { return .failure(why) }
        // 1-D norm scales and biases are skipped before their dtype matters.
        guard shape.count == 2 || shape.count == 4 else { return .failure(.unsupportedRank(shape.count)) }
        guard isFloat else { return .failure(.notFloat(dtypeName)) }
        if shape.count == 2 {
            let n = max(shape[0], shape[1]), m = min(shape[0], shape[1])
            let p = LayerPlan(layerID: layerID, name: base, kind: .dense, shape: shape,
                              N: n, M: m, rf: 1, pool: pool)
            return check(p, evals: m, selection)
        }
        // PyTorch conv layout (out, in, kh, kw).
        let (out, inp, kh, kw) = (shape[0], shape[1], shape[2], shape[3])
        let rf = kh * kw
        // Quirk (WW 0.7.7, conv2D_Wmats): N and M start as (out, in) and are swapped once per
        // slice when out < in, so with an even number of kernel positions the row reports
        // N = out < M = in. Reproduced because the row's N, M, Q and the eval limits depend on it.
        var n = max(out, inp), m = min(out, inp)
        if out < inp && rf % 2 == 0 { (n, m) = (out, inp) }
        if let size = operatorSize {
            // The operator is one (N²·c_out)×(N²·c_in) matrix: report its own dimensions. Like
            // WW's conv2d_fft route, the pooled eval-count limits are not applied to it.
            let big = size * size * max(out, inp), small = size * size * min(out, inp)
            let p = LayerPlan(layerID: layerID, name: base, kind: .conv2d, shape: shape,
                              N: big, M: small, rf: rf, pool: true, operatorSize: size)
            return big > WWDefaults.maxN * size * size ? .failure(.tooLarge(max(out, inp))) : .success(p)
        }
        let p = LayerPlan(layerID: layerID, name: base, kind: .conv2d, shape: shape,
                          N: n, M: m, rf: rf, pool: pool)
        return check(p, evals: pool ? m * rf : m, selection)
    }

    private static func check(_ p: LayerPlan, evals: Int, _ s: LayerSelection) -> Result<LayerPlan, SkipReason> {
        // WW tests `min_evals and …`: a limit of 0 disables the test.
        if s.minEvals > 0 && evals < s.minEvals { return .failure(.tooFewEvals(evals, min: s.minEvals)) }
        if s.maxEvals > 0 && evals > s.maxEvals { return .failure(.tooManyEvals(evals, max: s.maxEvals)) }
        if p.N > WWDefaults.maxN { return .failure(.tooLarge(p.N)) }
        return .success(p)
    }
}

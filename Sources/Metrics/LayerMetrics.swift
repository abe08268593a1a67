import Foundation

/// Computes WeightWatcher's row(s) for one layer from its weights.
public enum LayerMetrics {
    /// The rows of one layer: `weights` are the tensor's elements in row-major order, widened to
    /// float64. Returns one row, or one per kernel position for conv2d with pool = false.
    public static func analyze(_ plan: LayerPlan, weights: consuming [Double],
                               method: SpectrumMethod = .gram,
                               options: WWOptions = .init(),
                               permutations: (any PermutationSource)? = nil) -> [LayerReport] {
        precondition(weights.count == plan.shape.reduce(1, *))
        // WW's scipy.linalg.svd(check_finite=True) raises on NaN/Inf and aborts the whole
        // analyze(); here only this layer fails, with the reason, and the rest goes on.
        let bad = weights.reduce(into: 0) { n, v in if !v.isFinite { n += 1 } }
        if bad > 0 {
            return failedRows(plan, reason: "\(bad) non-finite weight value(s) (NaN or Inf)")
        }
        var rng: any PermutationSource = permutations
            ?? NumpyLegacyShuffle.forLayer(seed: options.seed, layerID: plan.layerID)
        do {
            switch plan.kind {
            case .dense:
                // randomize shuffles the weights, which the SVD below overwrites: keep a copy then.
                let original = options.randomize ? [RandomizeMatrix(values: copy weights, rows: plan.shape[0], cols: plan.shape[1])] : []
                // In place: the widened tensor is LAPACK's scratch; no second copy of the layer.
                let sv = try Spectrum.values(of: &weights, rows: plan.shape[0], cols: plan.shape[1], method: method)
                var r = row(plan, slices: [sv], sliceID: nil, options: options)
                if options.randomize { try randomize(&r, original, sv.lambda, plan, method, &rng) }
                return [r]
            case .conv2d:
                if let n = plan.operatorSize {
                    let sv = try ConvOperator.singularValues(kernel: weights, shape: plan.shape,
                                                             inputSize: n, method: method)
                    return [row(plan, slices: [sv], sliceID: nil, options: options)]
                }
                return try convRows(plan, weights, method: method, options: options, rng: &rng)
            }
        } catch {
            return failedRows(plan, reason: "\(error)")
        }
    }

    /// Conv2D (out, in, kh, kw): one out×in matrix per kernel position, scaled by
    /// sqrt(conv2d_count / 2) (WW's conv2d_norm: 1/√2 pooled, √(rf/2) per slice).
    static func convRows(_ plan: LayerPlan, _ w: [Double], method: SpectrumMethod,
                         options: WWOptions, rng: inout any PermutationSource) throws -> [LayerReport] {
        let (out, inp, kh, kw) = (plan.shape[0], plan.shape[1], plan.shape[2], plan.shape[3])
        let rf = kh * kw
        let scale = (plan.pool ? 0.5 : Double(rf) / 2).squareRoot()
        var slices: [SingularValues] = []
        var rows: [LayerReport] = []
        var m = [Double](repeating: 0, count: out * inp)
        var mats: [RandomizeMatrix] = []
        for pos in 0..<rf {
            for o in 0..<out {
                for i in 0..<inp { m[o * inp + i] = w[(o * inp + i) * rf + pos] * scale }
            }
            let mat = options.randomize ? wwSlice(m, out: out, inp: inp) : nil
            let sv = try Spectrum.values(of: &m, rows: out, cols: inp, method: method)
            if plan.pool {
                slices.append(sv)
                if let mat { mats.append(mat) }
            } else {
                var r = row(plan, slices: [sv], sliceID: pos, options: options)
                if let mat { try randomize(&r, [mat], sv.lambda, plan, method, &rng) }
                rows.append(r)
            }
        }
        guard plan.pool else { return rows }
        var r = row(plan, slices: slices, sliceID: nil, options: options)
        if options.randomize {
            try randomize(&r, mats, slices.flatMap(\.lambda).sorted(), plan, method, &rng)
        }
        return [r]
    }

    /// A conv slice as WW's `conv2D_Wmats` holds it (out×in, transposed when out < in): the
    /// shuffles permute that flattened layout, so the same permutation means the same matrix.
    static func wwSlice(_ m: [Double], out: Int, inp: Int) -> RandomizeMatrix {
        guard out < inp else { return RandomizeMatrix(values: m, rows: out, cols: inp) }
        var t = [Double](repeating: 0, count: m.count)
        for o in 0..<out { for i in 0..<inp { t[i * out + o] = m[o * inp + i] } }
        return RandomizeMatrix(values: t, rows: inp, cols: out)
    }

    /// Adds the randomize columns to a row.
    static func randomize(_ r: inout LayerReport, _ mats: [RandomizeMatrix], _ evals: [Double], _ plan: LayerPlan,
                          _ method: SpectrumMethod, _ rng: inout any PermutationSource) throws {
        let x = try Randomize.run(mats: mats, evals: evals.sorted(), N: plan.N, M: plan.M, rng: &rng, method: method)
        r.maxRandEval = x.maxRandEval; r.randDistance = x.randDistance
        r.wwSoftrank = x.wwSoftrank; r.wwMaxdist = x.wwMaxdist
        r.randNumSpikes = x.mp.numSpikes; r.numTraps = x.mp.numSpikes; r.randSigmaMP = x.mp.sigmaMP
        r.randMPSoftrank = x.mp.mpSoftrank; r.randWScale = x.mp.wScale
        r.randBulkMax = x.mp.bulkMax; r.randBulkMin = x.mp.bulkMin
    }

    /// One row from the spectra of the layer's matrices (pooled into one ESD).
    static func row(_ plan: LayerPlan, slices: [SingularValues], sliceID: Int?,
                    options: WWOptions = .init()) -> LayerReport {
        let eps = Double.ulpOfOne
        let rankN = Double(plan.rankN)
        var svMax = 0.0, svMin = 0.0, rankLoss = 0
        var evals: [Double] = []
        evals.reserveCapacity(slices.reduce(0) { $0 + $1.lambda.count })
        for s in slices {
            let smax = s.sigma.last ?? 0
            svMax = max(svMax, smax)
            // Quirk: sv_min is the largest of the per-slice smallest σ (= the smallest σ for
            // single-matrix layers).
            svMin = max(svMin, s.sigma.first ?? 0)
            rankLoss += s.sigma.count - s.sigma.filter { $0 > smax * rankN * eps }.count
            evals.append(contentsOf: s.lambda)
        }
        evals.sort()
        var fit: PowerLawFit
        var clipped: ClippedPowerLawFit?
        switch options.fixFingers {
        case nil: fit = PowerLawFit.fit(eigenvalues: evals)
        case .clipXmax:
            let c = FixFingers.clipXmax(eigenvalues: evals, maxFingers: options.maxFingers,
                                        fingerThresh: options.fingerThresh)
            fit = c.fit; clipped = c
        }
        let lmax = evals.last ?? 0
        let norm = evals.reduce(0, +)
        let sigmaMax = lmax.squareRoot()
        let rank = evals.filter { $0.squareRoot() > sigmaMax * rankN * eps }.count
        let alpha = fit.alpha
        let logAlphaNorm = log10(evals.reduce(0) { $0 + Foundation.pow($1, alpha) })
        var entropy = 0.0
        for l in evals { let p = l / norm + WWDefaults.entropyEpsilon; entropy -= p * Foundation.log(p) }
        entropy /= Foundation.log(Double(rank) + WWDefaults.entropyEpsilon)
        var report = LayerReport(
            layerID: plan.layerID, name: plan.name, longname: plan.name,
            layerType: plan.kind.rawValue, N: plan.N, M: plan.M, rf: plan.rf,
            Q: plan.M == 0 ? -1 : Double(plan.N) / Double(plan.M),
            numEvals: evals.count, svMax: svMax, svMin: svMin, rankLoss: rankLoss,
            weakRankLoss: evals.filter { $0 < WWDefaults.weakRankTolerance }.count,
            lambdaMax: lmax, alpha: alpha, xmin: fit.xmin, xmax: fit.xmax, D: fit.D, sigma: fit.sigma,
            numPLSpikes: fit.succeeded ? evals.filter { $0 >= fit.xmin }.count : -1,
            status: fit.succeeded ? "success" : "failed",
            warning: warning(fit),
            norm: norm, logNorm: log10(norm), spectralNorm: lmax, logSpectralNorm: log10(lmax),
            alphaWeighted: alpha * log10(lmax), logAlphaNorm: logAlphaNorm,
            stableRank: norm / lmax, matrixRank: rank, entropy: entropy,
            sliceID: plan.pool ? nil : (sliceID ?? 0), reason: fit.failure,
            eigenvalues: evals.map { Float($0) })
        if let clipped { report.numFingers = clipped.numFingers; report.rawAlpha = clipped.rawAlpha }
        if options.mpFit {
            let mp = MarchenkoPastur.fit(eigenvalues: evals, N: plan.N, M: plan.M)
            report.numSpikes = mp.numSpikes; report.sigmaMP = mp.sigmaMP; report.mpSoftrank = mp.mpSoftrank
            report.wScale = mp.wScale; report.bulkMax = mp.bulkMax; report.bulkMin = mp.bulkMin
        }
        return report
    }

    /// WW labels alpha < 2 `over-trained` and > 6 `under-trained`. A failed fit (alpha = −1)
    /// gets no label here: WW calls it over-trained, which is a bug, not a diagnosis.
    static func warning(_ fit: PowerLawFit) -> String {
        guard fit.succeeded else { return "" }
        if fit.alpha < WWDefaults.overTrained { return "over-trained" }
        if fit.alpha > WWDefaults.underTrained { return "under-trained" }
        return ""
    }

    /// Rows for a layer whose spectrum could not be computed: every number null (NaN), so the
    /// summary means (which skip NaN, as pandas does) are not polluted.
    public static func failedRows(_ plan: LayerPlan, reason: String) -> [LayerReport] {
        (0..<plan.rowCount).map { s in
            LayerReport(layerID: plan.layerID, name: plan.name, longname: plan.name,
                        layerType: plan.kind.rawValue, N: plan.N, M: plan.M, rf: plan.rf,
                        Q: Double(plan.N) / Double(plan.M),
                        numEvals: plan.operatorSize != nil || !plan.pool ? plan.M : plan.M * plan.rf,
                        svMax: .nan, svMin: .nan, rankLoss: 0, weakRankLoss: 0, lambdaMax: .nan,
                        alpha: .nan, xmin: .nan, xmax: nil, D: .nan, sigma: .nan, numPLSpikes: -1,
                        status: "failed", warning: "", norm: .nan, logNorm: .nan, spectralNorm: .nan,
                        logSpectralNorm: .nan, alphaWeighted: .nan, logAlphaNorm: .nan,
                        stableRank: .nan, matrixRank: 0, entropy: .nan,
                        sliceID: plan.pool ? nil : s, reason: reason)
        }
    }
}

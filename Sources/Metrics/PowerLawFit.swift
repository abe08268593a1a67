import Foundation

/// The result of WeightWatcher 0.7.7's default power-law fit (`WWFit`, `pl_package='ww'`).
public struct PowerLawFit: Sendable, Equatable {
    public var alpha: Double
    public var xmin: Double
    /// Largest fitted eigenvalue; nil when the fit failed (WW reports None).
    public var xmax: Double?
    public var D: Double
    public var sigma: Double
    public var succeeded: Bool
    /// Why the fit failed, when it did.
    public var failure: String?

    /// WW's failure values: alpha = D = sigma = xmin = −1, xmax None.
    public static func failed(_ why: String) -> PowerLawFit {
        PowerLawFit(alpha: -1, xmin: -1, xmax: nil, D: -1, sigma: -1, succeeded: false, failure: why)
    }

    /// Fits the eigenvalues (any order; values ≤ 1e-5 are dropped as WW does).
    public static func fit(eigenvalues evals: [Double]) -> PowerLawFit {
        let x = evals.filter { $0 > WWDefaults.evalsThreshold }.sorted()
        let n = x.count
        // WW: with 0 or 1 values the candidate set is empty and argmin raises -> failed.
        guard n >= 2 else { return .failed("\(n) eigenvalue(s) above \(WWDefaults.evalsThreshold): nothing to fit") }
        let logs = x.map { Foundation.log($0) }
        // suffix[i] = Σ_{j≥i} ln x_j
        var suffix = [Double](repeating: 0, count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) { suffix[i] = suffix[i + 1] + logs[i] }
        let result = n < WWDefaults.smallNCutoff ? smallN(x, logs, suffix) : standard(x, logs, suffix)
        guard !result.alpha.isNaN else { return .failed("the fit produced alpha = NaN") }
        return result
    }

    /// n ≥ 20: every point but the largest is a candidate xmin; plain MLE; first argmin of KS D.
    static func standard(_ x: [Double], _ logs: [Double], _ suffix: [Double]) -> PowerLawFit {
        let n = x.count
        var best = 0, bestD = Double.infinity, bestAlpha = 0.0
        for i in 0..<(n - 1) {
            let t = Double(n - i)
            let alpha = 1 + t / (suffix[i] - t * logs[i])
            let d = alpha > 1 ? ksDistance(logs, from: i, alpha: alpha, stopAt: bestD) : 1
            // Strictly smaller: numpy's argmin keeps the first minimum.
            if d < bestD { best = i; bestD = d; bestAlpha = alpha }
        }
        let t = Double(n - best)
        return PowerLawFit(alpha: bestAlpha, xmin: x[best], xmax: x[n - 1], D: bestD,
                           sigma: (bestAlpha - 1) / t.squareRoot(), succeeded: true, failure: nil)
    }

    /// n < 20 (WW 0.7.6+ `fit_powerlaw_smallN`): bias-corrected MLE on tails of at least 8 points.
    /// Its J objective is overridden by `WWFit.__init__`, which re-picks the first argmin of D
    /// over the same arrays: that is what 0.7.7 reports, so that is what we do.
    static func smallN(_ x: [Double], _ logs: [Double], _ suffix: [Double]) -> PowerLawFit {
        let n = x.count
        var alphas = [Double](repeating: 0, count: n - 1)
        var ds = [Double](repeating: 1, count: n - 1)
        var anyScored = false
        for i in 0..<(n - 1) {
            let t = Double(n - i)
            if n - i < WWDefaults.smallNMinTail { continue }
            let s = suffix[i] - t * logs[i]
            if s <= 1e-12 { continue }
            let alpha = 1 + (t - 1) / s
            alphas[i] = alpha
            if alpha <= 1 { continue }
            ds[i] = ksDistance(logs, from: i, alpha: alpha, stopAt: .infinity)
            anyScored = true
        }
        // Sigmas are computed before the fallback fills alphas[0] (upstream quirk: on the
        // fallback the reported sigma is (alphas[0] - 1)/√n with the old alphas[0], often −1/√n).
        let sigmas = (0..<(n - 1)).map { (alphas[$0] - 1) / Double(n - $0).squareRoot() }
        if !anyScored {
            // No tail qualified: WW uses the whole data as the tail (i = 0).
            let t = Double(n)
            let s = suffix[0] - t * logs[0]
            if s > 1e-12 {
                let alpha = 1 + (t - 1) / s
                alphas[0] = alpha
                ds[0] = ksDistance(logs, from: 0, alpha: alpha, stopAt: .infinity)
            }
            // else: WW's "pathological" branch sets values that __init__ then overwrites with
            // alphas[0], sigmas[0], Ds[0] — i.e. whatever the arrays hold.
        }
        var best = 0
        for i in 1..<(n - 1) where ds[i] < ds[best] { best = i }
        return PowerLawFit(alpha: alphas[best], xmin: x[best], xmax: x[n - 1], D: ds[best],
                           sigma: sigmas[best], succeeded: true, failure: nil)
    }

    /// KS distance of the tail x[i...] against the power law with this alpha:
    /// max_k |1 − (x[i+k]/x[i])^(1−α) − k/t|, with the power taken as exp((1−α)(ln x[i+k] − ln x[i]))
    /// from the logs computed once (numpy's elementwise `**` differs only in the last bits).
    /// Stops early once the running max reaches `stopAt` (such a candidate can no longer be the
    /// first strict minimum), which keeps the O(n²) search cheap without changing its result.
    static func ksDistance(_ logs: [Double], from i: Int, alpha: Double, stopAt: Double) -> Double {
        let n = logs.count, t = Double(n - i), e = 1 - alpha, li = logs[i]
        var d = 0.0
        return logs.withUnsafeBufferPointer { l in
            for k in 0..<(n - i) {
                let v = abs(1 - Foundation.exp(e * (l[i + k] - li)) - Double(k) / t)
                if v > d { d = v; if d >= stopAt { return d } }
                if v.isNaN { return .nan }
            }
            return d
        }
    }
}

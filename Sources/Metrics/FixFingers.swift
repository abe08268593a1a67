import Foundation

/// WeightWatcher 0.7.7's `fix_fingers='clip_xmax'` (`RMT_Util.fit_clipped_powerlaw`, called from
/// `WeightWatcher.fit_powerlaw` with `pl_package='ww'`): a few very large eigenvalues
/// ("fingers") can make the tail fit spuriously steep or flat, so the largest 2, 3, …
/// eigenvalues are clipped off in turn and the first refit whose alpha lies more than
/// `finger_thresh` below the unclipped alpha is kept.
public struct ClippedPowerLawFit: Sendable, Equatable {
    public var fit: PowerLawFit
    /// WW's `num_fingers`: eigenvalues clipped in the kept fit (0 when none was kept).
    public var numFingers: Int
    /// WW's `raw_alpha`: the unclipped fit's alpha (−1 when even that fit failed).
    public var rawAlpha: Double
}

public enum FixFingers {
    /// `evals` in any order (values ≤ 1e-5 are dropped, as WW does before calling the fitter).
    public static func clipXmax(eigenvalues evals: [Double], maxFingers: Int = 10,
                                fingerThresh: Double = 1.0) -> ClippedPowerLawFit {
        let nz = evals.filter { $0 > WWDefaults.evalsThreshold }.sorted()
        // Quirk (weightwatcher.py fit_powerlaw): a max_fingers below half the ESD's length (the
        // whole ESD, tiny values included) is replaced by the default 10.
        let maxF = maxFingers < 0 || Double(maxFingers) < Double(evals.count) / 2 ? 10 : maxFingers
        func failed(_ why: String, raw: Double = -1) -> ClippedPowerLawFit {
            ClippedPowerLawFit(fit: .failed(why), numFingers: 0, rawAlpha: raw)
        }
        // WWFit raises on fewer than two values; WW catches it and fails the whole layer.
        guard let first = rawFit(nz) else { return failed("\(nz.count) eigenvalue(s) above \(WWDefaults.evalsThreshold): nothing to fit") }
        // range(2, max_fingers) is empty: Python's loop variable stays unbound and the check
        // loop after it raises NameError, which WW also turns into a failed fit.
        guard maxF > 2 else { return failed("max_fingers \(maxF) leaves nothing to clip") }
        var best = first, numFingers = 0, last = 2
        for idx in 2..<maxF {
            last = idx
            guard let fit = rawFit(Array(nz.dropLast(idx))) else {
                return failed("clipping \(idx) eigenvalues leaves nothing to fit")
            }
            if fit.alpha + fingerThresh < first.alpha { best = fit; numFingers = idx - 1; break }
            if fit.alpha <= 2 { break }
        }
        // WW then refits with 1–3 more values clipped only to log a warning; a refit that
        // raises still fails the layer.
        for idy in (last + 1)...(last + 3) where rawFit(Array(nz.dropLast(idy))) == nil {
            return failed("clipping \(idy) eigenvalues leaves nothing to fit")
        }
        if best.alpha.isNaN {
            return ClippedPowerLawFit(fit: .failed("the fit produced alpha = NaN"), numFingers: numFingers,
                                      rawAlpha: first.alpha)
        }
        return ClippedPowerLawFit(fit: best, numFingers: numFingers, rawAlpha: first.alpha)
    }

    /// WWFit on sorted values above the threshold, NaN alphas kept (only the final fit's NaN
    /// fails the layer); nil where WWFit raises.
    static func rawFit(_ x: [Double]) -> PowerLawFit? {
        let n = x.count
        guard n >= 2 else { return nil }
        let logs = x.map { Foundation.log($0) }
        var suffix = [Double](repeating: 0, count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) { suffix[i] = suffix[i + 1] + logs[i] }
        return n < WWDefaults.smallNCutoff ? PowerLawFit.smallN(x, logs, suffix)
            : PowerLawFit.standard(x, logs, suffix)
    }
}

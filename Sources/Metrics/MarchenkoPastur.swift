import Foundation

/// WeightWatcher 0.7.7's `mp_fit=True` columns (`WeightWatcher.mp_fit`,
/// `RMT_Util.fit_density_with_range`, `resid_mp`): the Marchenko–Pastur law fitted to the ESD.
public struct MPFit: Sendable, Equatable {
    public var numSpikes: Int
    public var sigmaMP: Double
    public var mpSoftrank: Double
    /// √(n / Σλ): the rescaling that gives the ESD mean 1 before the fit.
    public var wScale: Double
    /// MP bulk edges, back in the original λ scale.
    public var bulkMax: Double
    public var bulkMin: Double

    /// WW's values when the fit raises: every column −1.
    public static let failed = MPFit(numSpikes: -1, sigmaMP: -1, mpSoftrank: -1, wScale: -1, bulkMax: -1, bulkMin: -1)
}

public enum MarchenkoPastur {
    /// The fit of `evals` (the whole ESD, any order) of an N×M layer (WW's reported N, M).
    public static func fit(eigenvalues evals: [Double], N: Int, M: Int) -> MPFit {
        let n = evals.count
        guard n > 0, M > 0 else { return .failed }
        let q = Double(N) / Double(M)
        let total = evals.reduce(0, +)
        let wScale = Double(n).squareRoot() / total.squareRoot()
        let scaled = evals.map { (wScale * wScale) * $0 }
        guard let lmax = scaled.max(), lmax.isFinite, lmax > 0 else { return .failed }
        guard let s1 = fitDensityWithRange(scaled, q: q) else { return .failed }
        let bulkMax = Foundation.pow(s1 * (1 + 1 / q.squareRoot()), 2)
        let bulkMin = Foundation.pow(s1 * (1 - 1 / q.squareRoot()), 2)
        let tw = 1 / q.squareRoot() * Foundation.pow(bulkMax, 2.0 / 3) * Foundation.pow(Double(M), -2.0 / 3)
        let cut = bulkMax + tw.squareRoot()
        return MPFit(numSpikes: scaled.filter { $0 > cut }.count, sigmaMP: s1, mpSoftrank: bulkMax / lmax,
                     wScale: wScale, bulkMax: bulkMax / (wScale * wScale), bulkMin: bulkMin / (wScale * wScale))
    }

    /// `fit_density_with_range`: scipy's `brute` over σ in [0.05·s₀, 2·s₀) step 0.01·s₀
    /// (s₀ = `calc_sigma`), then its default polish, `fmin` (Nelder–Mead), from the best point.
    static func fitDensityWithRange(_ evals: [Double], q: Double) -> Double? {
        let lmax = evals.max()!
        let s0 = (lmax / Foundation.pow(1 + 1 / q.squareRoot(), 2)).squareRoot()
        let toFit = q == 1 ? evals.map { $0.squareRoot() } : evals
        let residual = Residual(toFit, q: q)
        // np.mgrid[slice(a, b, step)] is np.arange(a, b, step): length ceil((b − a)/step), and
        // element i = a + i·δ with δ = (a + step) − a (numpy's fill).
        let a = 0.05 * s0, b = 2.0 * s0, step = 0.01 * s0
        let count = Int(((b - a) / step).rounded(.up))
        guard count > 0 else { return nil }
        let delta = (a + step) - a
        var best = a, bestJ = Double.infinity
        for i in 0..<count {
            let s = i == 0 ? a : a + Double(i) * delta
            let j = residual(s)
            if j < bestJ { best = s; bestJ = j }   // first minimum, as argmin
        }
        return nelderMead(best, residual.callAsFunction)
    }

    /// The sum of squared residuals between the MP density (or the quarter circle for Q = 1)
    /// and a linear-kernel KDE of the ESD (bandwidth 0.1 on 1000 points of [0, max + 0.5],
    /// points of density < 0.01 dropped), with `resid_mp`'s penalty for edges that miss the
    /// KDE's peak. The KDE does not depend on σ, so it is computed once.
    struct Residual {
        let q: Double
        let xs: [Double], ys: [Double]
        let peakX: Double, maxX: Double

        init(_ data: [Double], q: Double) {
            self.q = q
            let bw = 0.1, n = data.count
            let top = data.max()! + 0.5
            // sklearn KernelDensity(kernel='linear'): K(d) = 1 − d/h for d < h, normalised by
            // 1/h in one dimension, averaged over the points. Hand-written: one line of
            // arithmetic; sklearn's tree gives the same sums to ~1e-15.
            let sorted = data.sorted()
            var xs: [Double] = [], ys: [Double] = []
            for k in 0..<1000 {
                let x = k == 999 ? top : Double(k) * (top / 999)
                var lo = 0, hi = n
                while lo < hi { let m = (lo + hi) / 2; if sorted[m] <= x - bw { lo = m + 1 } else { hi = m } }
                var s = 0.0
                var i = lo
                while i < n && sorted[i] < x + bw {
                    let d = abs(x - sorted[i])
                    if d < bw { s += 1 - d / bw }
                    i += 1
                }
                let y = s / (Double(n) * bw)
                if y > 0.01 { xs.append(x); ys.append(y) }
            }
            self.xs = xs; self.ys = ys
            var peak = 0
            for i in ys.indices where ys[i] > ys[peak] { peak = i }
            peakX = xs.isEmpty ? .nan : xs[peak]
            maxX = xs.max() ?? .nan
        }

        func callAsFunction(_ sigma: Double) -> Double {
            var total = 0.0
            if q == 1 {
                for (x, y) in zip(xs, ys) {
                    let v = nanToNum(1 / (Double.pi * sigma * sigma) * (4 - x * x).squareRoot())
                    total += (v - y) * (v - y)
                }
                return total
            }
            let b = Foundation.pow(sigma * (1 + (1 / q).squareRoot()), 2)
            let a = Foundation.pow(sigma * (1 - (1 / q).squareRoot()), 2)
            if b < peakX || b > maxX || a > peakX { return 1000 * 1000 * Double(xs.count) }
            let y = 1 / q
            for (x, yd) in zip(xs, ys) {
                let v = nanToNum(1 / (2 * Double.pi * sigma * sigma * x * y) * ((b - x) * (x - a)).squareRoot())
                total += (v - yd) * (v - yd)
            }
            return total
        }

        /// numpy's nan_to_num: NaN → 0, ±inf → ±greatest finite.
        func nanToNum(_ v: Double) -> Double {
            if v.isNaN { return 0 }
            if v.isInfinite { return v > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude }
            return v
        }
    }

    /// scipy.optimize.fmin for one variable (`_minimize_neldermead`, non-adaptive: reflection
    /// 1, expansion 2, contraction 0.5, shrink 0.5; xatol = fatol = 1e-4; at most 200
    /// iterations and 200 evaluations), step for step, so the polish lands where scipy's does.
    static func nelderMead(_ x0: Double, _ f: (Double) -> Double) -> Double {
        let maxfun = 200, maxiter = 200
        var calls = 0
        func call(_ x: Double) -> Double? {
            guard calls < maxfun else { return nil }
            calls += 1
            return f(x)
        }
        var sim = [x0, x0 != 0 ? 1.05 * x0 : 0.00025]
        var fsim = [call(sim[0])!, call(sim[1])!]
        func sort() { if fsim[1] < fsim[0] { sim.swapAt(0, 1); fsim.swapAt(0, 1) } }
        sort()
        var iterations = 1
        while calls < maxfun && iterations < maxiter {
            if abs(sim[1] - sim[0]) <= 1e-4 && abs(fsim[0] - fsim[1]) <= 1e-4 { break }
            let xbar = sim[0]
            let xr = 2 * xbar - sim[1]
            guard let fxr = call(xr) else { break }
            if fxr < fsim[0] {
                let xe = 3 * xbar - 2 * sim[1]
                guard let fxe = call(xe) else { break }
                if fxe < fxr { sim[1] = xe; fsim[1] = fxe } else { sim[1] = xr; fsim[1] = fxr }
            } else if fxr < fsim[0] {   // N = 1: fsim[-2] is fsim[0]
                sim[1] = xr; fsim[1] = fxr
            } else {
                var shrink = false
                if fxr < fsim[1] {
                    let xc = 1.5 * xbar - 0.5 * sim[1]
                    guard let fxc = call(xc) else { break }
                    if fxc <= fxr { sim[1] = xc; fsim[1] = fxc } else { shrink = true }
                } else {
                    let xcc = 0.5 * xbar + 0.5 * sim[1]
                    guard let fxcc = call(xcc) else { break }
                    if fxcc < fsim[1] { sim[1] = xcc; fsim[1] = fxcc } else { shrink = true }
                }
                if shrink {
                    sim[1] = sim[0] + 0.5 * (sim[1] - sim[0])
                    guard let v = call(sim[1]) else { break }
                    fsim[1] = v
                }
            }
            iterations += 1
            sort()
        }
        sort()
        return sim[0]
    }
}

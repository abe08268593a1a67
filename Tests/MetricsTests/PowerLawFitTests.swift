import Foundation
import Testing
import TestSupport
@testable import Metrics

/// Expected values come from WeightWatcher 0.7.7's own `WWFit` (weightwatcher/WW_powerlaw.py),
/// run on the same data (the bench venv, bench/setup-venv.sh); tolerance 1e-12 relative (same formulas, float64).
@Suite struct PowerLawFitTests {
    /// Pareto quantiles x_i = (1 − u_i)^(−1/(a−1)), u_i = (i + ½)/n: a smooth power law.
    static func pareto(_ n: Int, _ a: Double) -> [Double] {
        (0..<n).map { i in Foundation.pow(1 - (Double(i) + 0.5) / Double(n), -1 / (a - 1)) }
    }

    static func close(_ a: Double, _ b: Double, _ tol: Double = 1e-12) -> Bool {
        abs(a - b) <= tol * max(abs(a), abs(b), 1e-300)
    }

    @Test("standard path (n ≥ 20) picks WW's xmin, alpha, D, sigma")
    func standardPath() {
        let f = PowerLawFit.fit(eigenvalues: Self.pareto(50, 2.5).reversed())
        #expect(f.succeeded)
        #expect(Self.close(f.alpha, 2.5258868867658144))
        #expect(Self.close(f.D, 0.01347989395817173))
        #expect(Self.close(f.sigma, 0.21579299299114738))
        #expect(Self.close(f.xmin, 1.0067227206187843))
        #expect(Self.close(f.xmax!, 21.54434690031882))
    }

    @Test("small-n path (n < 20) uses the bias-corrected MLE on tails ≥ 8")
    func smallNPath() {
        let f = PowerLawFit.fit(eigenvalues: Self.pareto(12, 3.0))
        #expect(Self.close(f.alpha, 2.973770057349702))
        #expect(Self.close(f.D, 0.03802989279017266))
        #expect(Self.close(f.sigma, 0.5697783369646368))
        #expect(Self.close(f.xmin, 1.0215078369104982))
    }

    @Test("small-n fallback (no tail of 8) fits the whole data and reports WW's sigma quirk −1/√n")
    func smallNFallbackQuirk() {
        let f = PowerLawFit.fit(eigenvalues: Self.pareto(6, 2.0))
        #expect(Self.close(f.alpha, 1.9730861049422375))
        #expect(Self.close(f.D, 0.06969714612405475))
        #expect(Self.close(f.sigma, -1 / 6.0.squareRoot()))
        #expect(Self.close(f.xmin, 1.090909090909091))
    }

    @Test("all-equal small sample: WW's degenerate branch reports alpha 0, D 1, sigma −1/√n")
    func degenerateSmallN() {
        let f = PowerLawFit.fit(eigenvalues: Array(repeating: 1.0, count: 10))
        #expect(f.alpha == 0 && f.D == 1)
        #expect(Self.close(f.sigma, -1 / 10.0.squareRoot()))
    }

    @Test("values ≤ 1e-5 are not fitted; fewer than two left is WW's failure (−1 values, xmax nil)")
    func failureValues() {
        let f = PowerLawFit.fit(eigenvalues: [1e-7, 1e-6, 1e-5, 3.0])
        #expect(!f.succeeded)
        #expect(f.alpha == -1 && f.D == -1 && f.sigma == -1 && f.xmin == -1 && f.xmax == nil)
    }

    @Test("early-stopped KS search gives exactly the exhaustive search's choice")
    func pruningIsExact() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20 {
            let x = (0..<200).map { _ in Foundation.pow(1 - rng.unit(), -1 / 1.7) }.sorted()
            let fast = PowerLawFit.fit(eigenvalues: x)
            // Exhaustive reference: every candidate's full D, first strict minimum.
            let logs = x.map { Foundation.log($0) }
            var best = 0, bestD = Double.infinity
            for i in 0..<(x.count - 1) {
                let t = Double(x.count - i)
                let a = 1 + t / (logs[i...].reduce(0, +) - t * logs[i])
                let d = a > 1 ? PowerLawFit.ksDistance(logs, from: i, alpha: a, stopAt: .infinity) : 1
                if d < bestD { bestD = d; best = i }
            }
            #expect(fast.xmin == x[best])
            #expect(Self.close(fast.D, bestD, 1e-14))
        }
    }
}

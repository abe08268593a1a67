import Foundation
import TestSupport
@testable import Metrics
import Testing
import TestSupport

/// The conv operator spectrum (`conv = operator`) against the operator itself: the explicit
/// (N²·c_out)×(N²·c_in) matrix of the circular convolution, whose singular values (dgesdd)
/// must equal the per-frequency ones to 1e-9.
@Suite struct ConvOperatorTests {
    /// Row-major matrix of y[o, a, b] = Σ_i Σ_{p,q} K[o, i, p, q]·x[i, (a+p) mod N, (b+q) mod N]
    /// (PyTorch's cross-correlation with circular padding).
    static func explicit(_ k: [Double], _ s: [Int], n: Int) -> [Double] {
        let (out, inp, kh, kw) = (s[0], s[1], s[2], s[3])
        let cols = inp * n * n
        var m = [Double](repeating: 0, count: out * n * n * cols)
        for o in 0..<out { for a in 0..<n { for b in 0..<n {
            let row = (o * n + a) * n + b
            for i in 0..<inp { for p in 0..<kh { for q in 0..<kw {
                let col = (i * n + (a + p) % n) * n + (b + q) % n
                m[row * cols + col] += k[((o * inp + i) * kh + p) * kw + q]
            } } }
        } } }
        return m
    }

    @Test("per-frequency singular values equal the explicit operator's to 1e-9",
          arguments: [([3, 2, 3, 3], 5), ([2, 4, 2, 2], 4), ([4, 4, 3, 3], 6), ([3, 5, 1, 1], 3),
                      ([2, 3, 3, 3], 2), ([5, 3, 3, 2], 7)])
    func matchesExplicitOperator(_ shape: [Int], _ n: Int) throws {
        var rng = SplitMix64(seed: UInt64(shape.reduce(n, *)))
        let kernel = (0..<shape.reduce(1, *)).map { _ in rng.normal() }
        var m = Self.explicit(kernel, shape, n: n)
        let want = try Spectrum.gesdd(&m, rows: shape[0] * n * n, cols: shape[1] * n * n)
        for method in [SpectrumMethod.gram, .gesdd] {
            let got = try ConvOperator.singularValues(kernel: kernel, shape: shape, inputSize: n, method: method)
            #expect(got.sigma.count == n * n * min(shape[0], shape[1]))
            let scale = want.last!
            for (a, b) in zip(want, got.sigma) { #expect(abs(a - b) <= 1e-9 * scale, "\(shape) N=\(n) \(method): \(a) vs \(b)") }
        }
    }

    @Test("an operator row: num_evals = N²·min(c), sv_max the operator norm, one row per layer")
    func operatorRow() throws {
        var rng = SplitMix64(seed: 9)
        let shape = [8, 6, 3, 3]
        let kernel = (0..<shape.reduce(1, *)).map { _ in rng.normal() }
        let plan = try LayerPlanning.plan(name: "c.weight", shape: shape, isFloat: true, dtypeName: "F32",
                                          layerID: 0, operatorSize: 8).get()
        let rows = LayerMetrics.analyze(plan, weights: kernel)
        #expect(rows.count == 1 && rows[0].numEvals == 64 * 6 && rows[0].status == "success")
        var m = Self.explicit(kernel, shape, n: 8)
        let sv = try Spectrum.gesdd(&m, rows: 8 * 64, cols: 6 * 64)
        #expect(abs(rows[0].svMax - sv.last!) <= 1e-9 * sv.last!)
        #expect(abs(rows[0].lambdaMax - sv.last! * sv.last!) <= 1e-9 * sv.last! * sv.last!)
    }
}


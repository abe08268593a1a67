import Foundation
import Testing
@testable import Metrics

@Suite struct LayerMetricsTests {
    static func plan(_ name: String, _ shape: [Int], pool: Bool = true) -> LayerPlan {
        try! LayerPlanning.plan(name: name, shape: shape, isFloat: true, dtypeName: "F32",
                                layerID: 0, pool: pool).get()
    }

    @Test("WW's selection: 2-D/4-D *.weight only, min_evals 8, max_evals 15000, max_N 50000")
    func selection() {
        func skip(_ n: String, _ s: [Int], float: Bool = true) -> SkipReason? {
            if case .failure(let r) = LayerPlanning.plan(name: n, shape: s, isFloat: float,
                                                         dtypeName: "X", layerID: 0) { return r }
            return nil
        }
        #expect(skip("a.bias", [10, 10]) == .notWeight)
        #expect(skip("norm.weight", [64]) == .unsupportedRank(1))
        #expect(skip("a.weight", [7, 128]) == .tooFewEvals(7))
        #expect(skip("a.weight", [8, 128]) == nil)
        #expect(skip("a.weight", [15001, 15001]) == .tooManyEvals(15001))
        #expect(skip("emb.weight", [50257, 768]) == .tooLarge(50257))
        #expect(skip("a.weight", [16, 16], float: false) == .notFloat("X"))
        #expect(skip("conv.weight", [4, 3, 3, 3]) == nil)          // M·rf = 27 ≥ 8
        #expect(skip("conv.weight", [1700, 1700, 3, 3]) == .tooManyEvals(15300))
    }

    @Test("even-kernel quirk: out < in with an even number of kernel positions reports N = out, M = in")
    func evenKernelSwap() {
        let even = Self.plan("c.weight", [32, 64, 2, 2])
        #expect(even.N == 32 && even.M == 64)
        let odd = Self.plan("c.weight", [32, 64, 3, 3])
        #expect(odd.N == 64 && odd.M == 32)
        let wide = Self.plan("c.weight", [64, 32, 2, 2])
        #expect(wide.N == 64 && wide.M == 32)
    }

    /// Conv weights (out, in, 1, 2) whose two slices are diag(a) and diag(b).
    static func twoSliceConv(_ a: [Double], _ b: [Double]) -> [Double] {
        let n = a.count
        var w = [Double](repeating: 0, count: n * n * 2)
        for i in 0..<n { w[(i * n + i) * 2] = a[i]; w[(i * n + i) * 2 + 1] = b[i] }
        return w
    }

    @Test("pooled conv: eigenvalues halved (conv2d_norm), sv_min = max of per-slice minima (quirk)")
    func pooledConvQuirks() {
        let a = (1...10).map(Double.init), b = (1...10).map { Double($0) + 0.5 }
        let rows = LayerMetrics.analyze(Self.plan("c.weight", [10, 10, 1, 2]), weights: Self.twoSliceConv(a, b))
        #expect(rows.count == 1)
        let r = rows[0]
        #expect(r.numEvals == 20 && r.rf == 2 && r.sliceID == nil)
        #expect(abs(r.lambdaMax - 10.5 * 10.5 * 0.5) < 1e-12)
        #expect(abs(r.svMin - 1.5 * 0.5.squareRoot()) < 1e-12)   // max(1, 1.5)·√½, not min
        #expect(abs(r.svMax - 10.5 * 0.5.squareRoot()) < 1e-12)
    }

    @Test("per-slice conv (pool = false): one row per kernel position, scaled by √(rf/2)")
    func perSliceConv() {
        let a = (1...10).map(Double.init), b = (1...10).map { Double($0) * 2 }
        let rows = LayerMetrics.analyze(Self.plan("c.weight", [10, 10, 1, 2], pool: false),
                                        weights: Self.twoSliceConv(a, b))
        #expect(rows.map(\.sliceID) == [0, 1])
        #expect(rows.allSatisfy { $0.numEvals == 10 })
        #expect(abs(rows[1].lambdaMax - 400) < 1e-10)            // (20·√(2/2))²
    }

    @Test("non-finite weights fail only that layer, with a reason; its NaNs stay out of the summary")
    func nonFiniteWeights() {
        var w = SpectrumTests.gaussian(20, 10, seed: 3)
        w[5] = .nan
        let bad = LayerMetrics.analyze(Self.plan("bad.weight", [20, 10]), weights: w)[0]
        #expect(bad.status == "failed" && bad.warning == "")
        #expect(bad.reason?.contains("non-finite") == true)
        let good = LayerMetrics.analyze(Self.plan("good.weight", [20, 10]),
                                        weights: SpectrumTests.gaussian(20, 10, seed: 4))[0]
        #expect(good.status == "success")
        let s = Summary(rows: [bad, good], skipped: 0)
        #expect(s.alpha == good.alpha && s.layersFailed == 1 && s.layersAnalyzed == 1)
    }

    @Test("rank-1 layer: failed fit keeps WW's −1 values but is not labelled over-trained")
    func failedFitLabel() {
        var w = [Double](repeating: 0, count: 12 * 10)
        for i in 0..<12 { for j in 0..<10 { w[i * 10 + j] = Double(i + 1) * Double(j + 1) } }
        let r = LayerMetrics.analyze(Self.plan("r1.weight", [12, 10]), weights: w)[0]
        #expect(r.status == "failed" && r.alpha == -1 && r.numPLSpikes == -1 && r.xmax == nil)
        #expect(r.warning == "")
        #expect(r.matrixRank == 1 && r.rankLoss == 9)
        // WW's summary mean includes the failed fit's −1.
        #expect(Summary(rows: [r], skipped: 0).alpha == -1)
    }

    @Test("JSON contract: WW column names, non-finite numbers as null")
    func jsonNulls() throws {
        var w = [Double](repeating: 0, count: 10 * 10)
        w[0] = .infinity
        let r = LayerMetrics.analyze(Self.plan("x.weight", [10, 10]), weights: w)[0]
        let json = String(decoding: try JSONEncoder().encode(r), as: UTF8.self)
        #expect(json.contains("\"alpha\":null") && json.contains("\"log_spectral_norm\":null"))
        #expect(json.contains("\"layer_id\":0") && json.contains("\"num_pl_spikes\":-1"))
        let back = try JSONDecoder().decode(LayerReport.self, from: Data(json.utf8))
        #expect(back.alpha.isNaN && back.name == "x")
    }
}

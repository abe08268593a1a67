import Foundation
import Testing
import TestSupport
@testable import Metrics

@Suite struct SpectrumTests {
    static func gaussian(_ rows: Int, _ cols: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<(rows * cols)).map { _ in rng.normal() / Double(cols).squareRoot() }
    }

    @Test("Gram path equals dgesdd within 1e-12·σmax on well-conditioned matrices, wide and tall")
    func gramMatchesGesdd() throws {
        for (r, c) in [(60, 40), (40, 60), (33, 33)] {
            var a = Self.gaussian(r, c, seed: UInt64(r * c))
            var b = a
            let g = try Spectrum.values(of: &a, rows: r, cols: c, method: .gram)
            let s = try Spectrum.values(of: &b, rows: r, cols: c, method: .gesdd)
            #expect(g.method == .gram)
            #expect(g.sigma.count == min(r, c))
            let smax = s.sigma.last!
            for (x, y) in zip(g.sigma, s.sigma) { #expect(abs(x - y) <= 1e-12 * smax) }
        }
    }

    @Test("rank-deficient matrices fall back to dgesdd, so the zero singular values stay tiny")
    func rankDeficientFallsBack() throws {
        // 50×30 of rank 5: U (50×5) · V (5×30).
        let u = Self.gaussian(50, 5, seed: 1), v = Self.gaussian(5, 30, seed: 2)
        var w = [Double](repeating: 0, count: 50 * 30)
        for i in 0..<50 { for j in 0..<30 { for k in 0..<5 { w[i * 30 + j] += u[i * 5 + k] * v[k * 30 + j] } } }
        let sv = try Spectrum.values(of: &w, rows: 50, cols: 30, method: .gram)
        #expect(sv.method == .gesdd)
        let smax = sv.sigma.last!
        #expect(sv.sigma.filter { $0 > smax * 50 * Double.ulpOfOne }.count == 5)
    }

    @Test("eigenvalues straddling WW's 1e-5 fit threshold within the Gram error force dgesdd")
    func thresholdProximityFallsBack() {
        #expect(!Spectrum.gramIsAccurate([1e-5 * (1 + 1e-15), 1.0]))
        #expect(Spectrum.gramIsAccurate([0.5, 1.0, 2.0]))
        #expect(!Spectrum.gramIsAccurate([1e-11, 1.0]))
        #expect(Spectrum.gramIsAccurate([2e-10, 1e-4, 1.0]))
    }
}

@Suite struct KernelChoiceTests {
    @Test("a generic fallback kernel on an AVX-512 CPU maps to SkylakeX, on AVX2 to Haswell; known cores stay")
    func fastCoreType() {
        let avx512: Set = ["avx2", "fma", "avx512f", "avx512vl", "avx512bw", "avx512dq"]
        #expect(BLASLibrary.fastCoreType(current: "Prescott", cpuFlags: avx512) == "SkylakeX")
        #expect(BLASLibrary.fastCoreType(current: "Prescott", cpuFlags: ["avx2", "fma"]) == "Haswell")
        #expect(BLASLibrary.fastCoreType(current: "Prescott", cpuFlags: ["sse3"]) == nil)
        #expect(BLASLibrary.fastCoreType(current: "Cooperlake", cpuFlags: avx512) == nil)
        #expect(BLASLibrary.fastCoreType(current: "Haswell", cpuFlags: avx512) == nil)
    }
}

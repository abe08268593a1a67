import Foundation

/// WeightWatcher 0.7.7's `randomize=True` columns (`apply_random_esd`, `random_eigenvalues`,
/// then `apply_mp_fit(random=True)`): the ESD of the layer's matrices with their entries
/// shuffled, compared with the real one. Large eigenvalues of the shuffled ESD beyond its MP
/// bulk (`num_traps`) are "correlation traps": a few outsized weights.
public struct RandomizedESD: Sendable, Equatable {
    /// Largest eigenvalue of the shuffled ESD (5 shuffles when the layer has < 100 components).
    public var maxRandEval: Double
    /// Jensen–Shannon distance between the ESD and one more shuffled ESD (sorted values taken
    /// as distributions over positions, natural log).
    public var randDistance: Double
    /// max(shuffled λ) / λ_max and λ_max − max(shuffled λ), from that one more shuffle.
    public var wwSoftrank: Double
    public var wwMaxdist: Double
    /// The MP fit of the 5-shuffle ESD: `rand_num_spikes` (= `num_traps`), `rand_sigma_mp`, …
    public var mp: MPFit
}

/// Where the shuffles come from: a permutation of 0..<count each call, used as
/// shuffled[k] = original[perm[k]]. The seeded generator at run time; WW's own permutations
/// in the fidelity test.
public protocol PermutationSource {
    mutating func permutation(count: Int) -> [Int]
}

/// One of WW's matrices (`Wmats`) as WW lays it out: row-major `rows × cols`.
public struct RandomizeMatrix: Sendable {
    public var values: [Double]
    public var rows: Int
    public var cols: Int
    public init(values: [Double], rows: Int, cols: Int) { self.values = values; self.rows = rows; self.cols = cols }
}

public enum Randomize {
    /// `mats` in WW's order, `evals` the layer's own ESD (sorted), `N`, `M` as reported.
    public static func run(mats: [RandomizeMatrix], evals: [Double], N: Int, M: Int,
                           rng: inout any PermutationSource, method: SpectrumMethod = .gram) throws -> RandomizedESD {
        // WW's num_components: M, or M·rf for a pooled conv layer (all of the ESD).
        let nComp = evals.count
        // WW's hack: five shuffles when there are few eigenvalues, for a steadier estimate.
        let replicas = nComp < 100 ? 5 : 1
        let many = try randomEigenvalues(mats, nComp: nComp, replicas: replicas, rng: &rng, method: method)
        let one = try randomEigenvalues(mats, nComp: nComp, replicas: 1, rng: &rng, method: method)
        let lmax = evals.last ?? .nan, rmax = one.last ?? .nan
        return RandomizedESD(maxRandEval: many.last ?? .nan,
                             randDistance: jensenShannonDistance(evals, one),
                             wwSoftrank: rmax / lmax, wwMaxdist: lmax - rmax,
                             mp: MarchenkoPastur.fit(eigenvalues: many, N: N, M: M))
    }

    static func randomEigenvalues(_ mats: [RandomizeMatrix], nComp: Int, replicas: Int,
                                  rng: inout any PermutationSource, method: SpectrumMethod) throws -> [Double] {
        var all: [Double] = []
        for _ in 0..<replicas {
            for m in mats {
                let perm = rng.permutation(count: m.values.count)
                var shuffled = perm.map { m.values[$0] }
                let sv = try Spectrum.values(of: &shuffled, rows: m.rows, cols: m.cols, method: method)
                all.append(contentsOf: sv.lambda.suffix(nComp))
            }
        }
        all.sort()
        return all
    }

    /// RMT_Util.jensen_shannon_distance: √((H(p‖m) + H(q‖m)) / 2), m = (p + q)/2, with
    /// scipy.stats.entropy normalising each vector by its sum.
    static func jensenShannonDistance(_ p: [Double], _ q: [Double]) -> Double {
        guard p.count == q.count, !p.isEmpty else { return .nan }
        let m = zip(p, q).map { ($0 + $1) / 2 }
        func entropy(_ a: [Double], _ b: [Double]) -> Double {
            let sa = a.reduce(0, +), sb = b.reduce(0, +)
            var s = 0.0
            for (x0, y0) in zip(a, b) {
                let x = x0 / sa, y = y0 / sb
                if x > 0 && y > 0 { s += x * Foundation.log(x / y) }
                else if x == 0 && y >= 0 { continue }
                else { return .infinity }
            }
            return s
        }
        return ((entropy(p, m) + entropy(q, m)) / 2).squareRoot()
    }
}

/// numpy's legacy generator (`np.random.seed(s)`; MT19937) and its `shuffle`: with the same
/// seed and the same calls it draws exactly the permutations WW's `np.random.shuffle` draws.
/// Hand-written (no package ships MT19937): ~40 lines of the reference algorithm.
public struct NumpyLegacyShuffle: PermutationSource, Sendable {
    /// The generator of one layer under `seed`: layers are computed in parallel, so each gets
    /// its own stream (SplitMix64 of the seed and the layer id, folded to numpy's 32-bit seed),
    /// the same whatever order they run in.
    public static func forLayer(seed: UInt64, layerID: Int) -> NumpyLegacyShuffle {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(layerID + 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return NumpyLegacyShuffle(seed: UInt32(truncatingIfNeeded: z ^ (z >> 32)))
    }

    var mt = [UInt32](repeating: 0, count: 624)
    var index = 624

    /// `np.random.seed(seed)` for a 32-bit seed (numpy's `mt19937_seed`).
    public init(seed: UInt32) {
        mt[0] = seed
        for i in 1..<624 { mt[i] = 1_812_433_253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i) }
    }

    mutating func next32() -> UInt32 {
        if index >= 624 {
            for i in 0..<624 {
                let y = (mt[i] & 0x8000_0000) | (mt[(i + 1) % 624] & 0x7fff_ffff)
                mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_b0df)
            }
            index = 0
        }
        var y = mt[index]; index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    mutating func next64() -> UInt64 { UInt64(next32()) << 32 | UInt64(next32()) }

    /// numpy's `random_interval(max)`: a masked draw, rejected until ≤ max.
    mutating func interval(_ max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8
        mask |= mask >> 16; mask |= mask >> 32
        if max <= 0xffff_ffff {
            while true { let v = UInt64(next32()) & mask; if v <= max { return v } }
        }
        while true { let v = next64() & mask; if v <= max { return v } }
    }

    /// `np.random.shuffle` of arange(count) (Fisher–Yates from the end).
    public mutating func permutation(count: Int) -> [Int] {
        var p = Array(0..<count)
        var i = count - 1
        while i >= 1 {
            let j = Int(interval(UInt64(i)))
            p.swapAt(i, j)
            i -= 1
        }
        return p
    }
}

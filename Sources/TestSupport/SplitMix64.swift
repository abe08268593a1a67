import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): small, seeded, reproducible randomness for tests,
/// benchmarks and the example trainer, with no global state. One copy for the whole package.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }
    public init(seed: UInt64) { self.state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform integer in 0..<n (0 when n <= 0); the modulo bias is irrelevant for fuzzing.
    public mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }

    /// Uniform in [0, 1), 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform in (0, 1): never 0, so log() of it is finite.
    public mutating func openUnit() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }

    /// Uniform on [-1, 1): the Gram spectrum of such a matrix is Marchenko–Pastur like a Gaussian's.
    public mutating func symmetricUnit() -> Double { Double(next() >> 11) * 0x1p-52 - 1 }

    /// Standard normal by Box–Muller from two draws of `unit()` (the first clamped away from 0).
    public mutating func normal() -> Double {
        let u = max(unit(), 1e-300), v = unit()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }
}

/// Median and scaled median absolute deviation, for a layer's own band of recent alphas.
enum RobustStats {
    static func median(_ xs: [Double]) -> Double {
        precondition(!xs.isEmpty)
        let s = xs.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// MAD × 1.4826, which estimates the standard deviation for normal data.
    static func scaledMAD(_ xs: [Double], median m: Double) -> Double {
        1.4826 * median(xs.map { abs($0 - m) })
    }
}

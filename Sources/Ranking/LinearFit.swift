/// Ordinary least squares y = slope·x + intercept: the per-group line of the scatter plots
/// (the post's figures draw one per architecture).
public struct LinearFit: Sendable, Equatable {
    public var slope: Double
    public var intercept: Double

    /// Nil for fewer than two points or when every x is the same.
    public init?(x: [Double], y: [Double]) {
        precondition(x.count == y.count, "samples of different lengths")
        guard x.count >= 2 else { return nil }
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0
        for (a, b) in zip(x, y) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx) }
        guard sxx > 0 else { return nil }
        slope = sxy / sxx
        intercept = my - slope * mx
    }

    public func callAsFunction(_ x: Double) -> Double { slope * x + intercept }
}

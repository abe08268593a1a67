import Foundation

/// A linear map from a data interval onto a pixel interval.
struct LinearScale {
    var domain: (Double, Double)
    var range: (Double, Double)

    init(domain: (Double, Double), range: (Double, Double)) {
        // A flat series still needs a span to be drawn in the middle.
        self.domain = domain.0 == domain.1 ? (domain.0 - 0.5, domain.1 + 0.5) : domain
        self.range = range
    }

    func callAsFunction(_ v: Double) -> Double {
        range.0 + (v - domain.0) / (domain.1 - domain.0) * (range.1 - range.0)
    }

    func invert(_ p: Double) -> Double {
        domain.0 + (p - range.0) / (range.1 - range.0) * (domain.1 - domain.0)
    }

    /// About `count` round ticks inside the domain (1, 2, 5 × 10ⁿ steps).
    func ticks(_ count: Int = 5) -> (values: [Double], step: Double) {
        let (lo, hi) = (min(domain.0, domain.1), max(domain.0, domain.1))
        let raw = (hi - lo) / Double(max(count, 1))
        guard raw > 0, raw.isFinite else { return ([lo], 1) }
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var v = (lo / step).rounded(.up) * step
        var out: [Double] = []
        while v <= hi + step * 1e-9 && out.count < 50 { out.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
        return (out, step)
    }
}

/// Extent of the finite values, nil when there are none.
func finiteExtent(_ values: some Sequence<Double>) -> (Double, Double)? {
    var lo = Double.infinity, hi = -Double.infinity
    for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
    return lo <= hi ? (lo, hi) : nil
}

import Foundation

/// The post's figures as SVG: a WeightWatcher metric (x) against a training metric (y), one
/// colour per group, each group's least-squares line. Plain text output (no file writes here).
public struct ScatterSVG {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// (group, run, x, y); points with a non-finite coordinate are left out.
    public var points: [(group: String, run: String, x: Double, y: Double)]

    public init(title: String, xLabel: String, yLabel: String,
                points: [(group: String, run: String, x: Double, y: Double)]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.points = points.filter { $0.x.isFinite && $0.y.isFinite }
    }

    /// Tableau 10: distinguishable, and readable for the common colour-vision deficiencies.
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                          "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    static let width = 760.0, height = 480.0
    static let left = 70.0, right = 190.0, top = 40.0, bottom = 60.0

    public var groups: [String] {
        var out: [String] = []
        for p in points where !out.contains(p.group) { out.append(p.group) }
        return out
    }

    public func render() -> String {
        let W = Self.width, H = Self.height
        let plotW = W - Self.left - Self.right, plotH = H - Self.top - Self.bottom
        let xs = Self.niceTicks(points.map(\.x)), ys = Self.niceTicks(points.map(\.y))
        func px(_ x: Double) -> Double { Self.left + (x - xs.lo) / (xs.hi - xs.lo) * plotW }
        func py(_ y: Double) -> Double { Self.top + plotH - (y - ys.lo) / (ys.hi - ys.lo) * plotH }
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.f(W))" height="\(Self.f(H))" \
            viewBox="0 0 \(Self.f(W)) \(Self.f(H))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Self.f(W / 2))" y="22" text-anchor="middle" font-size="15">\(Self.escape(title))</text>
            <rect x="\(Self.f(Self.left))" y="\(Self.f(Self.top))" width="\(Self.f(plotW))" height="\(Self.f(plotH))" fill="none" stroke="#888"/>
            <clipPath id="plot-area"><rect x="\(Self.f(Self.left))" y="\(Self.f(Self.top))" width="\(Self.f(plotW))" height="\(Self.f(plotH))"/></clipPath>

            """
        for t in xs.ticks {
            s += "<line x1=\"\(Self.f(px(t)))\" y1=\"\(Self.f(Self.top + plotH))\" x2=\"\(Self.f(px(t)))\" y2=\"\(Self.f(Self.top + plotH + 5))\" stroke=\"#888\"/>"
            s += "<text x=\"\(Self.f(px(t)))\" y=\"\(Self.f(Self.top + plotH + 18))\" text-anchor=\"middle\">\(Self.label(t))</text>\n"
        }
        for t in ys.ticks {
            s += "<line x1=\"\(Self.f(Self.left - 5))\" y1=\"\(Self.f(py(t)))\" x2=\"\(Self.f(Self.left))\" y2=\"\(Self.f(py(t)))\" stroke=\"#888\"/>"
            s += "<text x=\"\(Self.f(Self.left - 8))\" y=\"\(Self.f(py(t) + 4))\" text-anchor=\"end\">\(Self.label(t))</text>\n"
        }
        s += "<text x=\"\(Self.f(Self.left + plotW / 2))\" y=\"\(Self.f(H - 15))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(18 \(Self.f(Self.top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        for (gi, g) in groups.enumerated() {
            let colour = Self.palette[gi % Self.palette.count]
            let mine = points.filter { $0.group == g }
            s += "<g class=\"group\" data-group=\"\(Self.escape(g))\" fill=\"\(colour)\" stroke=\"\(colour)\">\n"
            if let fit = LinearFit(x: mine.map(\.x), y: mine.map(\.y)),
               let lo = mine.map(\.x).min(), let hi = mine.map(\.x).max() {
                s += "<line class=\"fit\" clip-path=\"url(#plot-area)\" x1=\"\(Self.f(px(lo)))\" y1=\"\(Self.f(py(fit(lo))))\" x2=\"\(Self.f(px(hi)))\" y2=\"\(Self.f(py(fit(hi))))\" stroke-width=\"2\"/>\n"
            }
            for p in mine {
                s += "<circle cx=\"\(Self.f(px(p.x)))\" cy=\"\(Self.f(py(p.y)))\" r=\"4\" fill-opacity=\"0.8\"><title>\(Self.escape(p.run)): \(Self.label(p.x)), \(Self.label(p.y))</title></circle>\n"
            }
            let ly = Self.top + 10 + Double(gi) * 18
            s += "<circle cx=\"\(Self.f(W - Self.right + 20))\" cy=\"\(Self.f(ly))\" r=\"5\"/>"
            s += "<text x=\"\(Self.f(W - Self.right + 32))\" y=\"\(Self.f(ly + 4))\" stroke=\"none\" fill=\"black\">\(Self.escape(g)) (\(mine.count))</text>\n</g>\n"
        }
        if points.isEmpty {
            s += "<text x=\"\(Self.f(Self.left + plotW / 2))\" y=\"\(Self.f(Self.top + plotH / 2))\" text-anchor=\"middle\">no runs with both values</text>\n"
        }
        return s + "</svg>\n"
    }

    /// An axis range covering `values` with 4–6 round ticks (1, 2 or 5 × 10^k apart).
    static func niceTicks(_ values: [Double]) -> (lo: Double, hi: Double, ticks: [Double]) {
        guard var lo = values.min(), var hi = values.max() else { return (0, 1, [0, 0.5, 1]) }
        if lo == hi { lo -= max(abs(lo) * 0.05, 0.5); hi += max(abs(hi) * 0.05, 0.5) }
        let raw = (hi - lo) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let a = floor(lo / step) * step, b = ceil(hi / step) * step
        var ticks: [Double] = []
        var t = a
        while t <= b + step / 2 { ticks.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return (a, b, ticks)
    }

    /// Coordinates with two decimals: enough for a screen, and stable text for tests.
    static func f(_ v: Double) -> String {
        let n = Int((v * 100).rounded())
        let sign = n < 0 ? "-" : ""
        let a = abs(n)
        let frac = a % 100
        return sign + "\(a / 100)" + (frac == 0 ? "" : "." + (frac < 10 ? "0" : "") + "\(frac)")
    }

    /// Tick and tooltip numbers: up to 4 significant decimals, no trailing zeros.
    static func label(_ v: Double) -> String {
        let n = Int((v * 10_000).rounded())
        let sign = n < 0 ? "-" : ""
        let a = abs(n)
        var frac = String(a % 10_000)
        frac = String(repeating: "0", count: 4 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return sign + "\(a / 10_000)" + (frac.isEmpty ? "" : "." + frac)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}

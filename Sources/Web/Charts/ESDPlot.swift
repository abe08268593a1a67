import Foundation

/// The empirical spectral density as WeightWatcher draws it (`plot_esd` / the powerlaw fit
/// plot): a histogram of the eigenvalues on log-log axes, the fitted power law
/// p(λ) ∝ λ^−α from xmin on, xmin and λmax marked; an earlier checkpoint's ESD overlaid.
public struct ESDPlot: Sendable {
    public struct Spectrum: Sendable {
        public var label: String
        public var eigenvalues: [Float]
        public init(label: String, eigenvalues: [Float]) { self.label = label; self.eigenvalues = eigenvalues }
    }

    public var title: String
    public var current: Spectrum
    public var earlier: Spectrum?
    /// The recorded fit (nil or NaN: no line).
    public var alpha: Double?
    public var xmin: Double?
    public var xmax: Double?
    public var lambdaMax: Double?
    /// The Marchenko–Pastur bulk edge, where the analysis computed it (`mp_fit`).
    public var bulkMax: Double?
    public var width = 620.0
    public var height = 340.0
    public var bins = 60

    /// WeightWatcher fits only eigenvalues above this (`WWDefaults.evalsThreshold`).
    public static let threshold = 1e-5

    public init(title: String, current: Spectrum, earlier: Spectrum? = nil, alpha: Double?, xmin: Double?,
                xmax: Double?, lambdaMax: Double?, bulkMax: Double? = nil) {
        self.title = title; self.current = current; self.earlier = earlier
        self.alpha = alpha; self.xmin = xmin; self.xmax = xmax; self.lambdaMax = lambdaMax; self.bulkMax = bulkMax
    }

    static let margin = (left: 56.0, right: 16.0, top: 28.0, bottom: 40.0)

    /// log10 densities of equal-width bins in log10 λ; nil for empty bins.
    static func histogram(_ logs: [Double], total: Int, lo: Double, hi: Double, bins: Int) -> [Double?] {
        var counts = [Int](repeating: 0, count: bins)
        let w = (hi - lo) / Double(bins)
        for v in logs { counts[min(bins - 1, max(0, Int((v - lo) / w)))] += 1 }
        return counts.enumerated().map { i, c in
            guard c > 0 else { return nil }
            let a = pow(10, lo + Double(i) * w), b = pow(10, lo + Double(i + 1) * w)
            return log10(Double(c) / (Double(total) * (b - a)))
        }
    }

    public func svg() -> String {
        let m = Self.margin
        let plot = (x0: m.left, x1: width - m.right, y0: height - m.bottom, y1: m.top)
        func logs(_ e: [Float]) -> [Double] { e.lazy.map(Double.init).filter { $0 > Self.threshold && $0.isFinite }.map(log10) }
        let cur = logs(current.eigenvalues)
        let old = earlier.map { logs($0.eigenvalues) } ?? []
        var s = "<svg class=\"chart esd\" viewBox=\"0 0 \(Num.px(width)) \(Num.px(height))\" role=\"img\" aria-label=\"\(Escape.html(title))\""
        guard let ext = finiteExtent(cur + old) else {
            return s + "><text class=\"empty\" x=\"\(Num.px(width / 2))\" y=\"\(Num.px(height / 2))\">no eigenvalues above 1e-5</text></svg>"
        }
        let lo = ext.0 - 0.02, hi = max(ext.1 + 0.02, lo + 0.1)
        let hc = Self.histogram(cur, total: cur.count, lo: lo, hi: hi, bins: bins)
        let ho = old.isEmpty ? [] : Self.histogram(old, total: old.count, lo: lo, hi: hi, bins: bins)

        // The fitted tail density: p(λ) = (n_tail/N)·(α−1)/xmin·(λ/xmin)^−α on [xmin, xmax].
        var fit: [(Double, Double)] = []
        if let a = alpha, let x0 = xmin, a.isFinite, a > 1, x0.isFinite, x0 > 0 {
            let top = (xmax ?? lambdaMax).flatMap { $0.isFinite ? $0 : nil } ?? pow(10, ext.1)
            let tail = Double(cur.filter { $0 >= log10(x0) }.count) / Double(max(cur.count, 1))
            let steps = 24
            for i in 0...steps {
                let lx = log10(x0) + (log10(top) - log10(x0)) * Double(i) / Double(steps)
                let density = tail * (a - 1) / x0 * pow(pow(10, lx) / x0, -a)
                fit.append((lx, log10(density)))
            }
        }
        let ys = (hc + ho).compactMap { $0 }
        var ye = finiteExtent(ys) ?? (0, 1)
        ye = (ye.0 - 0.3, ye.1 + 0.3)
        let sx = LinearScale(domain: (lo, hi), range: (plot.x0, plot.x1))
        let sy = LinearScale(domain: ye, range: (plot.y0, plot.y1))
        s += " data-x0=\"\(lo)\" data-x1=\"\(hi)\" data-px0=\"\(plot.x0)\" data-px1=\"\(plot.x1)\">"
        s += "<title>\(Escape.html(title))</title>"
        s += "<defs><clipPath id=\"esd-clip\"><rect x=\"\(Num.px(plot.x0))\" y=\"\(Num.px(plot.y1))\" width=\"\(Num.px(plot.x1 - plot.x0))\" height=\"\(Num.px(plot.y0 - plot.y1))\"/></clipPath></defs>"
        s += "<text class=\"ctitle\" x=\"\(Num.px(plot.x0))\" y=\"16\">\(Escape.html(title))</text>"
        s += axes(sx: sx, sy: sy, plot: plot)
        let bw = (plot.x1 - plot.x0) / Double(bins)
        func bars(_ h: [Double?], _ cls: String, _ label: String) -> String {
            var out = "<g class=\"\(cls)\" data-label=\"\(Escape.html(label))\">"
            for (i, v) in h.enumerated() {
                guard let v else { continue }
                let y = sy(v)
                out += "<rect x=\"\(Num.px(plot.x0 + Double(i) * bw))\" y=\"\(Num.px(y))\" width=\"\(Num.px(bw))\" height=\"\(Num.px(max(0, plot.y0 - y)))\"/>"
            }
            return out + "</g>"
        }
        if !ho.isEmpty {
            // Outline only, so the current histogram stays readable under it.
            var d = ""
            for (i, v) in ho.enumerated() {
                guard let v else { continue }
                let x = plot.x0 + Double(i) * bw, y = Num.px(sy(v))
                d += "M\(Num.px(x)) \(y)H\(Num.px(x + bw))"
            }
            s += bars(hc, "bars", current.label)
            s += "<path class=\"earlier\" data-label=\"\(Escape.html(earlier!.label))\" d=\"\(d)\"/>"
        } else {
            s += bars(hc, "bars", current.label)
        }
        if let first = fit.first {
            let d = fit.enumerated().map { i, p in (i == 0 ? "M" : "L") + Num.px(sx(p.0)) + " " + Num.px(sy(p.1)) }.joined()
            s += "<path class=\"fit\" clip-path=\"url(#esd-clip)\" data-lambda0=\"\(pow(10, first.0))\" d=\"\(d)\"><title>power law fit, alpha \(Num.label(alpha, digits: 3)) from xmin \(Num.label(xmin, digits: 4))</title></path>"
        }
        func vline(_ v: Double?, _ cls: String, _ label: String) -> String {
            guard let v, v.isFinite, v > 0, log10(v) >= lo, log10(v) <= hi else { return "" }
            let x = Num.px(sx(log10(v)))
            return "<line class=\"\(cls)\" data-lambda=\"\(v)\" x1=\"\(x)\" x2=\"\(x)\" y1=\"\(Num.px(plot.y1))\" y2=\"\(Num.px(plot.y0))\"><title>\(label) = \(Num.label(v, digits: 4))</title></line>"
                + "<text class=\"vl \(cls)\" x=\"\(x)\" y=\"\(Num.px(plot.y1 - 3))\">\(label)</text>"
        }
        s += vline(xmin, "xmin", "xmin")
        s += vline(lambdaMax, "lmax", "λmax")
        s += vline(bulkMax, "mp", "MP edge")
        // Legend.
        var ly = plot.y1 + 14
        s += "<g class=\"legend\"><rect class=\"sw-bars\" x=\"\(Num.px(plot.x1 - 170))\" y=\"\(Num.px(ly - 8))\" width=\"10\" height=\"8\"/><text x=\"\(Num.px(plot.x1 - 156))\" y=\"\(Num.px(ly))\">\(Escape.html(current.label))</text>"
        if let earlier, !ho.isEmpty {
            ly += 14
            s += "<line class=\"earlier\" x1=\"\(Num.px(plot.x1 - 170))\" x2=\"\(Num.px(plot.x1 - 160))\" y1=\"\(Num.px(ly - 4))\" y2=\"\(Num.px(ly - 4))\"/><text x=\"\(Num.px(plot.x1 - 156))\" y=\"\(Num.px(ly))\">\(Escape.html(earlier.label))</text>"
        }
        if !fit.isEmpty {
            ly += 14
            s += "<line class=\"fit\" x1=\"\(Num.px(plot.x1 - 170))\" x2=\"\(Num.px(plot.x1 - 160))\" y1=\"\(Num.px(ly - 4))\" y2=\"\(Num.px(ly - 4))\"/><text x=\"\(Num.px(plot.x1 - 156))\" y=\"\(Num.px(ly))\">fit α = \(Num.label(alpha, digits: 2))</text>"
        }
        return s + "</g></svg>"
    }

    func axes(sx: LinearScale, sy: LinearScale, plot: (x0: Double, x1: Double, y0: Double, y1: Double)) -> String {
        var s = "<g class=\"axis\">"
        s += "<line x1=\"\(Num.px(plot.x0))\" x2=\"\(Num.px(plot.x1))\" y1=\"\(Num.px(plot.y0))\" y2=\"\(Num.px(plot.y0))\"/>"
        s += "<line x1=\"\(Num.px(plot.x0))\" x2=\"\(Num.px(plot.x0))\" y1=\"\(Num.px(plot.y0))\" y2=\"\(Num.px(plot.y1))\"/>"
        // Decades (and halves when the range is narrow) on x, as 10^k.
        // Whole decades once the spectrum spans two or more; finer ticks only for narrow ones.
        var (xt, xstep) = sx.ticks(6)
        if sx.domain.1 - sx.domain.0 >= 2 && xstep < 1 {
            xt = Array(stride(from: sx.domain.0.rounded(.up), through: sx.domain.1, by: 1)); xstep = 1
        }
        for v in xt {
            let x = Num.px(sx(v))
            let label = xstep >= 1 && v == v.rounded() ? "10<tspan dy=\"-5\" font-size=\"8\">\(Int(v))</tspan>" : Num.label(pow(10, v), digits: 2)
            s += "<line class=\"grid\" x1=\"\(x)\" x2=\"\(x)\" y1=\"\(Num.px(plot.y0))\" y2=\"\(Num.px(plot.y1))\"/>"
            s += "<text class=\"xt\" x=\"\(x)\" y=\"\(Num.px(plot.y0 + 16))\">\(label)</text>"
        }
        let (yt, _) = sy.ticks(5)
        for v in yt where v == v.rounded() {
            let y = Num.px(sy(v))
            s += "<line class=\"grid\" x1=\"\(Num.px(plot.x0))\" x2=\"\(Num.px(plot.x1))\" y1=\"\(y)\" y2=\"\(y)\"/>"
            s += "<text class=\"yt\" x=\"\(Num.px(plot.x0 - 5))\" y=\"\(y)\">10<tspan dy=\"-5\" font-size=\"8\">\(Int(v))</tspan></text>"
        }
        s += "<text class=\"xl\" x=\"\(Num.px((plot.x0 + plot.x1) / 2))\" y=\"\(Num.px(plot.y0 + 32))\">eigenvalue λ of WᵀW (log scale)</text>"
        s += "<text class=\"yl\" transform=\"translate(14 \(Num.px((plot.y0 + plot.y1) / 2))) rotate(-90)\">density (log scale)</text>"
        return s + "</g>"
    }
}

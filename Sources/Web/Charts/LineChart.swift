import Foundation

/// A metric against step: one or more lines, an optional healthy band, alert markers.
/// Pure: data in, SVG text out (Tests/WebTests/ChartTests.swift).
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        /// Steps (x) and values (y, NaN where there is none: a gap in the line).
        public var xs: [Double]
        public var ys: [Double]
        public init(name: String, xs: [Double], ys: [Double]) {
            precondition(xs.count == ys.count)
            self.name = name; self.xs = xs; self.ys = ys
        }
    }

    public struct Marker: Sendable {
        public var x: Double
        public var label: String
        public init(x: Double, label: String) { self.x = x; self.label = label }
    }

    public var title: String
    public var series: [Series]
    /// Shaded, and points outside it drawn as alerts.
    public var band: ClosedRange<Double>?
    public var markers: [Marker] = []
    public var width = 560.0
    public var height = 200.0
    /// Lines longer than this are thinned (`Decimate.minMax`), keeping extremes.
    public var maxPoints = 900
    /// Dots (with hover values) only while a line has at most this many drawn points.
    public var maxDots = 400

    public init(title: String, series: [Series], band: ClosedRange<Double>? = nil, markers: [Marker] = []) {
        self.title = title; self.series = series; self.band = band; self.markers = markers
    }

    static let margin = (left: 52.0, right: 12.0, top: 24.0, bottom: 28.0)

    public func svg() -> String {
        let m = Self.margin
        let plot = (x0: m.left, x1: width - m.right, y0: height - m.bottom, y1: m.top)
        let allX = series.flatMap(\.xs)
        var yValues = series.flatMap(\.ys)
        if let band { yValues += [band.lowerBound, band.upperBound].filter { _ in finiteExtent(series.flatMap(\.ys)) != nil } }
        let xe = finiteExtent(allX) ?? (0, 1)
        var ye = finiteExtent(yValues) ?? (0, 1)
        let pad = (ye.1 - ye.0) * 0.06
        ye = (ye.0 - pad, ye.1 + pad)
        let sx = LinearScale(domain: xe, range: (plot.x0, plot.x1))
        let sy = LinearScale(domain: ye, range: (plot.y0, plot.y1))

        var s = "<svg class=\"chart line\" viewBox=\"0 0 \(Num.px(width)) \(Num.px(height))\""
        s += " role=\"img\" aria-label=\"\(Escape.html(title))\" data-x0=\"\(sx.domain.0)\" data-x1=\"\(sx.domain.1)\">"
        s += "<title>\(Escape.html(title))</title>"
        s += "<text class=\"ctitle\" x=\"\(Num.px(plot.x0))\" y=\"15\">\(Escape.html(title))</text>"
        if let band, finiteExtent(series.flatMap(\.ys)) != nil {
            let top = sy(min(band.upperBound, ye.1)), bottom = sy(max(band.lowerBound, ye.0))
            if bottom > top {
                s += "<rect class=\"band\" x=\"\(Num.px(plot.x0))\" y=\"\(Num.px(top))\" width=\"\(Num.px(plot.x1 - plot.x0))\" height=\"\(Num.px(bottom - top))\"><title>healthy \(Num.label(band.lowerBound, digits: 0))–\(Num.label(band.upperBound, digits: 0))</title></rect>"
            }
        }
        s += axes(sx: sx, sy: sy, plot: plot)
        for mk in markers where mk.x.isFinite {
            let x = Num.px(sx(mk.x))
            s += "<line class=\"marker\" x1=\"\(x)\" x2=\"\(x)\" y1=\"\(Num.px(plot.y1))\" y2=\"\(Num.px(plot.y0))\"><title>\(Escape.html(mk.label))</title></line>"
        }
        for (i, ser) in series.enumerated() {
            let keep = Decimate.minMax(ser.ys, target: maxPoints)
            var d = "", drawn = 0, pen = false
            for k in keep {
                let y = ser.ys[k]
                guard y.isFinite, ser.xs[k].isFinite else { pen = false; continue }
                d += (pen ? "L" : "M") + Num.px(sx(ser.xs[k])) + " " + Num.px(sy(y))
                pen = true; drawn += 1
            }
            s += "<path class=\"series s\(i)\" data-series=\"\(Escape.html(ser.name))\" data-points=\"\(drawn)\" d=\"\(d)\"/>"
            if drawn <= maxDots {
                s += "<g class=\"dots s\(i)\">"
                for k in keep where ser.ys[k].isFinite && ser.xs[k].isFinite {
                    let out = band.map { !$0.contains(ser.ys[k]) } ?? false
                    s += "<circle\(out ? " class=\"out\"" : "") cx=\"\(Num.px(sx(ser.xs[k])))\" cy=\"\(Num.px(sy(ser.ys[k])))\" r=\"2.6\">"
                    s += "<title>\(Escape.html(ser.name)) · step \(Int(ser.xs[k])): \(Num.label(ser.ys[k], digits: 4))</title></circle>"
                }
                s += "</g>"
            }
        }
        if series.count > 1 {
            var lx = plot.x1
            for (i, ser) in series.enumerated().reversed() {
                lx -= Double(ser.name.count) * 6.5 + 22
                s += "<g class=\"legend s\(i)\"><line x1=\"\(Num.px(lx))\" x2=\"\(Num.px(lx + 12))\" y1=\"11\" y2=\"11\"/>"
                s += "<text x=\"\(Num.px(lx + 15))\" y=\"15\">\(Escape.html(ser.name))</text></g>"
            }
        }
        if series.allSatisfy({ finiteExtent($0.ys) == nil }) {
            s += "<text class=\"empty\" x=\"\(Num.px((plot.x0 + plot.x1) / 2))\" y=\"\(Num.px((plot.y0 + plot.y1) / 2))\">no values yet</text>"
        }
        return s + "</svg>"
    }

    func axes(sx: LinearScale, sy: LinearScale, plot: (x0: Double, x1: Double, y0: Double, y1: Double)) -> String {
        var s = "<g class=\"axis\">"
        s += "<line x1=\"\(Num.px(plot.x0))\" x2=\"\(Num.px(plot.x1))\" y1=\"\(Num.px(plot.y0))\" y2=\"\(Num.px(plot.y0))\"/>"
        let (yt, ystep) = sy.ticks(4)
        for v in yt {
            let y = Num.px(sy(v))
            s += "<line class=\"grid\" x1=\"\(Num.px(plot.x0))\" x2=\"\(Num.px(plot.x1))\" y1=\"\(y)\" y2=\"\(y)\"/>"
            s += "<text class=\"yt\" x=\"\(Num.px(plot.x0 - 5))\" y=\"\(y)\">\(Num.tick(v, step: ystep))</text>"
        }
        let (xt, xstep) = sx.ticks(6)
        for v in xt {
            let x = Num.px(sx(v))
            s += "<text class=\"xt\" x=\"\(x)\" y=\"\(Num.px(plot.y0 + 16))\">\(Num.tick(v, step: max(xstep, 1)))</text>"
        }
        return s + "</g>"
    }
}

/// The runs page's inline ⟨alpha⟩ trend: a line, the healthy band, the last point marked.
public enum SparklineSVG {
    public static func svg(_ ys: [Double], band: ClosedRange<Double>?, width: Double = 140, height: Double = 28) -> String {
        let keep = Decimate.minMax(ys, target: 120)
        guard let ext = finiteExtent(keep.map { ys[$0] }) else {
            return "<svg class=\"spark\" viewBox=\"0 0 \(Num.px(width)) \(Num.px(height))\" data-points=\"0\"></svg>"
        }
        var lo = ext.0, hi = ext.1
        if let band { lo = min(lo, band.lowerBound); hi = max(hi, band.upperBound) }
        let sx = LinearScale(domain: (0, Double(max(ys.count - 1, 1))), range: (2, width - 4))
        let sy = LinearScale(domain: (lo, hi), range: (height - 3, 3))
        var s = "<svg class=\"spark\" viewBox=\"0 0 \(Num.px(width)) \(Num.px(height))\""
        var d = "", drawn = 0, pen = false
        for k in keep {
            guard ys[k].isFinite else { pen = false; continue }
            d += (pen ? "L" : "M") + Num.px(sx(Double(k))) + " " + Num.px(sy(ys[k])); pen = true; drawn += 1
        }
        s += " data-points=\"\(drawn)\">"
        if let band {
            let t = sy(band.upperBound), b = sy(band.lowerBound)
            s += "<rect class=\"band\" x=\"0\" y=\"\(Num.px(t))\" width=\"\(Num.px(width))\" height=\"\(Num.px(b - t))\"/>"
        }
        s += "<path class=\"series s0\" d=\"\(d)\"/>"
        if let i = ys.lastIndex(where: { $0.isFinite }) {
            let out = band.map { !$0.contains(ys[i]) } ?? false
            s += "<circle\(out ? " class=\"out\"" : "") cx=\"\(Num.px(sx(Double(i))))\" cy=\"\(Num.px(sy(ys[i])))\" r=\"2.4\"/>"
        }
        return s + "</svg>"
    }
}

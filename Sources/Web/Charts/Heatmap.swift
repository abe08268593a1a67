import Foundation

/// Alpha per layer (rows) and checkpoint (columns). Colour bins over the healthy range;
/// cells outside it carry the class `out` (outlined), gaps (failed fits) `gap`.
/// Cell sizes are set once in a scoped style rule rather than on each of up to thousands of
/// rects (bytes: the run page of 200 layers must stay small).
public struct Heatmap: Sendable {
    public var id: String
    public var rows: [String]
    public var rowLinks: [String]
    /// Column labels (steps).
    public var columns: [Int]
    /// values[row][column], NaN for no value.
    public var values: [[Double]]
    public var healthy: ClosedRange<Double>
    /// Said under the chart when columns were sampled.
    public var note: String?
    public var cell = (width: 12.0, height: 12.0)

    public init(id: String, rows: [String], rowLinks: [String], columns: [Int], values: [[Double]],
                healthy: ClosedRange<Double>, note: String? = nil) {
        self.id = id; self.rows = rows; self.rowLinks = rowLinks; self.columns = columns
        self.values = values; self.healthy = healthy; self.note = note
    }

    /// Colour class of a value: b0 … b7 across the healthy range, lo / hi outside it.
    func bin(_ v: Double) -> String {
        if !v.isFinite { return "gap" }
        if v < healthy.lowerBound { return "lo out" }
        if v > healthy.upperBound { return "hi out" }
        let t = (v - healthy.lowerBound) / (healthy.upperBound - healthy.lowerBound)
        return "b\(min(7, Int(t * 8)))"
    }

    public func svg() -> String {
        let labelWidth = min(280.0, max(80.0, Double(rows.map(\.count).max() ?? 0) * 6.6 + 12))
        // Few checkpoints: big cells; many: as narrow as fits ~840 px.
        let cw = columns.count > 60 ? max(4.0, 840.0 / Double(columns.count)) : min(40.0, max(cell.width, 640.0 / Double(max(columns.count, 1))))
        let ch = rows.count > 80 ? 8.0 : rows.count > 40 ? cell.height : 18.0
        let top = 18.0, bottom = 30.0
        let width = labelWidth + Double(columns.count) * cw + 10
        let height = top + Double(rows.count) * ch + bottom
        var s = "<svg id=\"\(Escape.html(id))\" class=\"chart heatmap\" viewBox=\"0 0 \(Num.px(width)) \(Num.px(height))\""
        s += " width=\"\(Num.px(width))\" height=\"\(Num.px(height))\" data-rows=\"\(rows.count)\" data-columns=\"\(columns.count)\">"
        s += "<style>#\(id) rect.cell{width:\(Num.px(cw - 1))px;height:\(Num.px(ch - 1))px}</style>"
        s += "<title>alpha per layer and checkpoint</title>"
        let tooltips = rows.count * columns.count <= 4000
        let fontSize = ch < 10 ? " style=\"font-size:7px\"" : ""
        for (r, name) in rows.enumerated() {
            let y = top + Double(r) * ch
            s += "<a href=\"\(rowLinks[r])\"><text class=\"rl\" x=\"\(Num.px(labelWidth - 6))\" y=\"\(Num.px(y + ch / 2 + 3.5))\"\(fontSize)>\(Escape.html(Self.shorten(name, labelWidth)))</text></a>"
            for c in columns.indices {
                let v = values[r][c]
                s += "<rect class=\"cell \(bin(v))\" x=\"\(Num.px(labelWidth + Double(c) * cw))\" y=\"\(Num.px(y))\""
                if tooltips {
                    s += "><title>\(Escape.html(name)) · step \(columns[c]): \(Num.label(v))</title></rect>"
                } else { s += "/>" }
            }
        }
        // A few step labels along the bottom.
        // Labels at least ~36 px apart (steps are up to 7 digits).
        let every = max(1, Int((36 / cw).rounded(.up)), columns.count / 10)
        for c in stride(from: 0, to: columns.count, by: every) {
            s += "<text class=\"xt\" x=\"\(Num.px(labelWidth + (Double(c) + 0.5) * cw))\" y=\"\(Num.px(top + Double(rows.count) * ch + 14))\">\(columns[c])</text>"
        }
        s += "<text class=\"xl\" x=\"\(Num.px(labelWidth - 6))\" y=\"\(Num.px(top + Double(rows.count) * ch + 14))\">step</text>"
        if let note {
            s += "<text class=\"note\" x=\"\(Num.px(labelWidth))\" y=\"\(Num.px(height - 3))\">\(Escape.html(note))</text>"
        }
        return s + "</svg>"
    }

    /// Long module paths keep their tail (the part that tells layers apart).
    static func shorten(_ name: String, _ width: Double) -> String {
        let maxChars = Int(width / 6.4)
        return name.count <= maxChars ? name : "…" + name.suffix(maxChars - 1)
    }

    /// Legend: what each colour means.
    public func legend() -> String {
        var s = "<div class=\"hm-legend\"><span class=\"sw lo\"></span>&lt; \(Num.label(healthy.lowerBound, digits: 0))"
        for b in 0..<8 {
            let v = healthy.lowerBound + (Double(b) + 0.5) / 8 * (healthy.upperBound - healthy.lowerBound)
            s += "<span class=\"sw b\(b)\" title=\"\(Num.label(v, digits: 2))\"></span>"
        }
        s += "&gt; \(Num.label(healthy.upperBound, digits: 0))<span class=\"sw hi\"></span> <span class=\"sw gap\"></span>failed fit</div>"
        return s
    }
}

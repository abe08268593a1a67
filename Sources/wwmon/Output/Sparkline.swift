/// One-line charts of a series: eight block heights scaled to the series' finite min…max,
/// a space for a gap (failed fit, unreadable checkpoint, no value), and out-of-range points
/// painted as alerts (the count is also given in text, so NO_COLOR loses nothing).
enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// `values`: nil = gap. `healthy`: points outside it are marked.
    static func render(_ values: [Double?], healthy: ClosedRange<Double>? = nil, style: Style) -> String {
        let finite = values.compactMap { $0 }.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else {
            return String(repeating: " ", count: values.count)
        }
        var out = ""
        for v in values {
            guard let v, !v.isNaN else { out += " "; continue }
            let level: Int
            if v == .infinity { level = blocks.count - 1 } else if v == -.infinity { level = 0 } else if hi == lo {
                level = blocks.count / 2 - 1
            } else {
                level = min(blocks.count - 1, Int((v - lo) / (hi - lo) * Double(blocks.count - 1) + 0.5))
            }
            let ch = String(blocks[level])
            out += healthy.map { $0.contains(v) } == false ? style.paint(ch, .alert) : ch
        }
        return out
    }

    /// Number of points outside `healthy` (gaps excluded).
    static func outOfRange(_ values: [Double?], healthy: ClosedRange<Double>?) -> Int {
        guard let healthy else { return 0 }
        return values.compactMap { $0 }.filter { !$0.isNaN && !healthy.contains($0) }.count
    }
}

/// One-line charts of a series: eight block heights scaled to the series' finite min…max,
/// a space for a gap (failed fit, unreadable checkpoint, no value), and out-of-range points
/// painted as alerts (the count is also given in text, so NO_COLOR loses nothing). Long series
/// are folded into `width` buckets (mean of each bucket; a bucket is out of range if any of
/// its points is, a gap only if all are).
enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// `values`: nil = gap. `healthy`: points outside it are marked.
    static func render(_ values: [Double?], healthy: ClosedRange<Double>? = nil, width: Int = 60,
                       style: Style) -> String {
        let buckets = fold(values, healthy: healthy, width: width)
        let finite = buckets.compactMap(\.value).filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else {
            return String(repeating: " ", count: buckets.count)
        }
        var out = ""
        for b in buckets {
            guard let v = b.value, !v.isNaN else { out += " "; continue }
            let level: Int
            if v == .infinity { level = blocks.count - 1 } else if v == -.infinity { level = 0 } else if hi == lo {
                level = blocks.count / 2 - 1
            } else {
                level = min(blocks.count - 1, Int((v - lo) / (hi - lo) * Double(blocks.count - 1) + 0.5))
            }
            let ch = String(blocks[level])
            out += b.outside ? style.paint(ch, .alert) : ch
        }
        return out
    }

    struct Bucket { var value: Double?; var outside: Bool }

    static func fold(_ values: [Double?], healthy: ClosedRange<Double>?, width: Int) -> [Bucket] {
        func outside(_ v: Double?) -> Bool {
            guard let v, !v.isNaN, let healthy else { return false }
            return !healthy.contains(v)
        }
        guard values.count > width, width > 0 else { return values.map { Bucket(value: $0, outside: outside($0)) } }
        return (0..<width).map { b in
            let slice = values[(b * values.count / width)..<((b + 1) * values.count / width)]
            let present = slice.compactMap { $0 }.filter { !$0.isNaN }
            let mean = present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
            return Bucket(value: mean, outside: slice.contains(where: outside))
        }
    }

    /// Number of points outside `healthy` (gaps excluded).
    static func outOfRange(_ values: [Double?], healthy: ClosedRange<Double>?) -> Int {
        guard let healthy else { return 0 }
        return values.compactMap { $0 }.filter { !$0.isNaN && !healthy.contains($0) }.count
    }
}

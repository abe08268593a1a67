/// Thinning a series for drawing: a chart is ~1,000 px wide, so 5,000 points per line only
/// add bytes. Each bucket of consecutive points keeps its first point and its minimum and
/// maximum (in x order), so spikes, dips and gaps survive.
public enum Decimate {
    /// Indices of `values` to draw, ascending; all of them when there are at most `target`.
    /// NaN marks a gap: a bucket holding one keeps its first NaN, so the line still breaks.
    public static func minMax(_ values: [Double], target: Int) -> [Int] {
        let n = values.count
        guard n > target, target >= 3 else { return Array(0..<n) }
        let buckets = max(1, target / 3)
        var keep: [Int] = []
        keep.reserveCapacity(buckets * 3 + 1)
        for b in 0..<buckets {
            let lo = b * n / buckets, hi = (b + 1) * n / buckets
            guard lo < hi else { continue }
            var picks: Set<Int> = [lo]
            var minI = -1, maxI = -1, gap = -1
            for i in lo..<hi {
                let v = values[i]
                if v.isNaN { if gap < 0 { gap = i }; continue }
                if minI < 0 || v < values[minI] { minI = i }
                if maxI < 0 || v > values[maxI] { maxI = i }
            }
            for i in [minI, maxI, gap] where i >= 0 { picks.insert(i) }
            keep.append(contentsOf: picks.sorted())
        }
        if keep.last != n - 1 { keep.append(n - 1) }
        return keep
    }
}

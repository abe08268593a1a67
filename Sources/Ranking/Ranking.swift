/// Ranks of a sweep, as the post compares models: within one architecture (a group) by
/// ⟨alpha⟩, across architectures by ⟨alpha_weighted⟩ — smaller is better in both.
public enum Ranking {
    /// Why these two metrics: the sentence `wwmon rank` prints under its table.
    public static let rationale = """
        Within a group (one architecture, different hyper-parameters) runs are ranked by ⟨alpha⟩, \
        which tracks generalisation when depth is fixed; across groups by ⟨alpha_weighted⟩ \
        (alpha·log10 λmax), which also accounts for the scale that changes with depth — \
        smaller is better in both.
        """

    /// Competition ranks ("1224") of `values`, smallest first; nil for NaN (never ranked).
    public static func ranks(_ values: [Double]) -> [Int?] {
        let finite = values.indices.filter { !values[$0].isNaN }.sorted { values[$0] < values[$1] }
        var out = [Int?](repeating: nil, count: values.count)
        for (position, index) in finite.enumerated() {
            if position > 0, values[finite[position - 1]] == values[index] {
                out[index] = out[finite[position - 1]]
            } else {
                out[index] = position + 1
            }
        }
        return out
    }

    public struct Ranked: Sendable, Equatable {
        public var point: SweepPoint
        /// Rank by ⟨alpha⟩ among the runs of its group.
        public var inGroup: Int?
        /// Rank by ⟨alpha_weighted⟩ among all runs.
        public var overall: Int?
    }

    /// The points with their ranks, ordered by group (first appearance) then rank in group.
    public static func rank(_ points: [SweepPoint]) -> [Ranked] {
        let overall = ranks(points.map { $0.value(.alphaWeighted) })
        var inGroup = [Int?](repeating: nil, count: points.count)
        var groups: [String] = []
        for p in points where !groups.contains(p.group) { groups.append(p.group) }
        for g in groups {
            let members = points.indices.filter { points[$0].group == g }
            let r = ranks(members.map { points[$0].value(.alpha) })
            for (i, m) in members.enumerated() { inGroup[m] = r[i] }
        }
        let ranked = points.indices.map { Ranked(point: points[$0], inGroup: inGroup[$0], overall: overall[$0]) }
        return ranked.enumerated().sorted { a, b in
            let ga = groups.firstIndex(of: a.element.point.group)!, gb = groups.firstIndex(of: b.element.point.group)!
            if ga != gb { return ga < gb }
            let ra = a.element.inGroup ?? .max, rb = b.element.inGroup ?? .max
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }
}

/// "Does it hold here?": each WeightWatcher metric's rank correlation with a training metric,
/// within each group and pooled, and Simpson's paradox where the two disagree.
public struct Correlation: Sendable, Equatable {
    public enum Scope: Sendable, Equatable, Hashable {
        case pooled
        case group(String)
        /// Along one run's checkpoints ("alpha rose while my evals improved").
        case along(run: String)

        /// The JSON/CSV `scope` value: `pooled`, the group's name, or `along:RUN`.
        public var name: String {
            switch self {
            case .pooled: "pooled"
            case .group(let g): g
            case .along(let r): "along:" + r
            }
        }
    }

    public var metric: SweepMetric
    public var target: String
    public var scope: Scope
    /// Points with both values finite.
    public var n: Int
    public var spearman: Double?
    public var kendall: Double?

    /// Fewer points than this and a correlation is not reported (too few to say anything).
    public static let minimumPoints = 3

    public init(metric: SweepMetric, target: String, scope: Scope, points: [SweepPoint]) {
        self.metric = metric; self.target = target; self.scope = scope
        let pairs = points.compactMap { p -> (Double, Double)? in
            let x = p.value(metric), y = p.training[target] ?? .nan
            return x.isFinite && y.isFinite ? (x, y) : nil
        }
        n = pairs.count
        let x = pairs.map(\.0), y = pairs.map(\.1)
        spearman = n >= Self.minimumPoints ? RankCorrelation.spearman(x, y) : nil
        kendall = n >= Self.minimumPoints ? RankCorrelation.kendallTauB(x, y) : nil
    }

    /// Per group, pooled, for every metric — pooled first, then groups in first-appearance order.
    public static func sweep(_ points: [SweepPoint], target: String) -> [Correlation] {
        var groups: [String] = []
        for p in points where !groups.contains(p.group) { groups.append(p.group) }
        var out: [Correlation] = []
        for m in SweepMetric.allCases {
            out.append(Correlation(metric: m, target: target, scope: .pooled, points: points))
            for g in groups {
                out.append(Correlation(metric: m, target: target, scope: .group(g),
                                       points: points.filter { $0.group == g }))
            }
        }
        return out
    }
}

/// Simpson's paradox: the pooled correlation's sign is opposite to the sign within most groups.
public struct Paradox: Sendable, Equatable {
    public var metric: SweepMetric
    public var target: String
    /// Spearman's rho pooled over all runs.
    public var pooled: Double
    /// Spearman's rho within each group that has one.
    public var within: [String: Double]

    /// The paradoxes among `correlations` (Spearman's rho): for each metric, flagged when at
    /// least two groups have a non-zero rho, a strict majority of them share a sign, and the
    /// pooled rho (non-zero) has the other sign.
    public static func find(_ correlations: [Correlation]) -> [Paradox] {
        var out: [Paradox] = []
        var metrics: [(SweepMetric, String)] = []
        for c in correlations where !metrics.contains(where: { $0 == (c.metric, c.target) }) {
            metrics.append((c.metric, c.target))
        }
        for (m, t) in metrics {
            let mine = correlations.filter { $0.metric == m && $0.target == t }
            guard let pooled = mine.first(where: { $0.scope == .pooled })?.spearman else { continue }
            var within: [String: Double] = [:]
            for c in mine { if case .group(let g) = c.scope, let r = c.spearman { within[g] = r } }
            if isParadox(pooled: pooled, within: Array(within.values)) {
                out.append(Paradox(metric: m, target: t, pooled: pooled, within: within))
            }
        }
        return out
    }

    public static func isParadox(pooled: Double, within: [Double]) -> Bool {
        let signed = within.filter { $0 != 0 }
        guard pooled != 0, signed.count >= 2 else { return false }
        let opposite = signed.filter { ($0 > 0) != (pooled > 0) }.count
        return 2 * opposite > signed.count
    }
}

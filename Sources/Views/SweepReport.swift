import Metrics
import Ranking
import Store

/// A sweep put side by side: what `wwmon rank` prints and the dashboard's /rank page shows.
/// Runs at a comparison point, grouped (architecture fingerprint or a tag), ranked, and each
/// WeightWatcher metric's rank correlation with a training metric, with Simpson's paradox.
public struct SweepReport: Sendable {
    public struct Request: Sendable {
        public var runs: [String] = []
        public var point: ComparisonPoint = .latest
        /// Only runs with all these tags.
        public var tags: [String: String] = [:]
        /// Group by this tag instead of the architecture.
        public var groupBy: String?
        /// Only the runs of this group.
        public var group: String?
        /// Training metric to correlate with; nil: the first of `defaultTargets` recorded.
        public var target: String?
        public init() {}
    }

    /// Why nothing could be ranked, as a sentence.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static let defaultTargets = ["test_accuracy", "eval_accuracy", "val_accuracy", "accuracy", "test_acc",
                                        "eval_acc", "val_acc", "acc", "eval_loss", "val_loss", "test_loss"]

    public var points: [SweepPoint]
    public var ranked: [Ranking.Ranked]
    /// Pooled, per group, then along each run's checkpoints (`along:RUN`).
    public var correlations: [Correlation]
    public var paradoxes: [Paradox]
    public var target: String?
    /// Runs with no analysed checkpoint at the requested point.
    public var missing: [String]

    public static func build(_ store: HistoryStore, _ r: Request) throws -> SweepReport {
        let (found, missing) = try store.sweep(runs: r.runs, at: r.point)
        var points: [SweepPoint] = []
        for run in found where r.tags.allSatisfy({ run.tags[$0.key] == $0.value }) {
            let group: String
            if let key = r.groupBy { group = run.tags[key].map { "\(key)=\($0)" } ?? "\(key) untagged" } else {
                group = ArchitectureFingerprint.group(run.shapes.map { .init(n: $0.n, m: $0.m, rf: $0.rf) })
            }
            points.append(SweepPoint(run: run.checkpoint.run, group: group, step: run.checkpoint.step,
                                     epoch: run.checkpoint.epoch, metrics: metrics(run.checkpoint.summary),
                                     training: run.checkpoint.training))
        }
        if let g = r.group {
            let known = points.map(\.group).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            points = points.filter { $0.group == g }
            if points.isEmpty { throw Failure(description: "no run in group \"\(g)\"; groups: \(known.joined(separator: ", "))") }
        }
        if points.isEmpty {
            throw Failure(description: r.tags.isEmpty ? "no analysed runs to rank"
                          : "no run has the tags \(r.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
        let target = r.target ?? defaultTargets.first { t in
            points.filter { $0.training[t]?.isFinite == true }.count >= Correlation.minimumPoints
        }
        var correlations: [Correlation] = []
        if let t = target {
            correlations = Correlation.sweep(points, target: t)
            for p in points {
                let along = try store.runPoints(run: p.run).map {
                    SweepPoint(run: p.run, group: p.group, step: $0.step, metrics: metrics($0.summary), training: $0.training)
                }
                for m in SweepMetric.allCases {
                    let c = Correlation(metric: m, target: t, scope: .along(run: p.run), points: along)
                    if c.n >= Correlation.minimumPoints { correlations.append(c) }
                }
            }
        }
        let paradoxes = Paradox.find(correlations.filter { if case .along = $0.scope { false } else { true } })
        return SweepReport(points: points, ranked: Ranking.rank(points), correlations: correlations,
                           paradoxes: paradoxes, target: target, missing: missing)
    }

    /// The four averages a sweep is compared on (NaN for a checkpoint without a summary).
    public static func metrics(_ s: Summary?) -> [SweepMetric: Double] {
        [.alpha: s?.alpha ?? .nan, .alphaWeighted: s?.alphaWeighted ?? .nan,
         .logSpectralNorm: s?.logSpectralNorm ?? .nan, .logNorm: s?.logNorm ?? .nan]
    }

    /// The post's figure: `metric` against the target, one colour and fit line per group.
    public func scatter(_ metric: SweepMetric) -> ScatterSVG {
        let t = target ?? "(no training metric)"
        return ScatterSVG(title: "⟨\(metric.rawValue)⟩ vs \(t)", xLabel: "⟨\(metric.rawValue)⟩", yLabel: t,
                          points: points.map { (group: $0.group, run: $0.run, x: $0.value(metric), y: $0.training[t] ?? .nan) })
    }
}

import Foundation
import Store

/// Which series a `history` request names: one layer's metrics, one metric for every layer, or
/// the run's summary (WeightWatcher means and training metrics). Parsed and resolved here so
/// `wwmon history` and `/api/v1/history` accept the same options with the same defaults and
/// the same error sentences.
public enum HistoryQuery: Sendable {
    /// A column of the summary view: a WeightWatcher summary mean or a training metric.
    public enum SummaryColumn: Equatable, Sendable {
        case ww(SummaryMetric), training(String)
        public var name: String { switch self { case .ww(let m): m.rawValue; case .training(let n): n } }
        public var label: String { switch self { case .ww(let m): "⟨\(m.rawValue)⟩"; case .training(let n): n } }
        public var healthyRange: ClosedRange<Double>? { if case .ww(let m) = self { m.healthyRange } else { nil } }
    }

    /// `withTraining`: the default summary view, which adds every training metric of the run.
    case layer(String, [LayerMetric]), allLayers(LayerMetric)
    case summary([SummaryColumn], withTraining: Bool)

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ d: String) { description = d }
    }

    /// `metrics` empty means the defaults: alpha; alpha and alpha_weighted (and the run's
    /// training metrics) for the summary.
    public init(metrics: [String], layer: String?, summary: Bool) throws {
        if layer != nil && summary { throw Invalid("Use either --layer or --summary, not both.") }
        if !summary && layer == nil && metrics.count > 1 {
            throw Invalid("Every-layer view shows one metric; pass one --metric or add --layer/--summary.")
        }
        // Names no WeightWatcher metric has are training metrics (eval_loss); the store says at
        // run time whether the run has them.
        func column(_ name: String) throws -> SummaryColumn {
            if let m = SummaryMetric(rawValue: name) { return .ww(m) }
            guard TrainingMetric.isValidName(name) else {
                throw Invalid("Unknown summary metric \"\(name)\"; choose from \(SummaryMetric.allCases.map(\.rawValue).joined(separator: ", ")) or a training metric of the run.")
            }
            return .training(name)
        }
        if summary {
            self = .summary(try (metrics.isEmpty ? ["alpha", "alpha_weighted"] : metrics).map(column),
                            withTraining: metrics.isEmpty)
            return
        }
        if layer == nil, metrics.count == 1, LayerMetric(rawValue: metrics[0]) == nil, SummaryMetric(rawValue: metrics[0]) == nil {
            self = .summary([try column(metrics[0])], withTraining: false)
            return
        }
        let ms = try (metrics.isEmpty ? ["alpha"] : metrics).map { name in
            guard let m = LayerMetric(rawValue: name) else {
                throw Invalid("Unknown layer metric \"\(name)\"; choose from \(LayerMetric.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return m
        }
        if let layer { self = .layer(layer, ms); return }
        self = .allLayers(ms[0])
    }

    /// The default summary view gains the run's training metrics; a training metric asked
    /// for by name must exist in the run.
    public func resolved(_ store: HistoryStore, run: String) throws -> HistoryQuery {
        guard case .summary(var cs, let withTraining) = self else { return self }
        let known = try store.trainingMetricNames(run: run)
        for case .training(let name) in cs where !known.contains(name) {
            throw Invalid("Run \"\(run)\" has no metric \"\(name)\"; WeightWatcher summary metrics: "
                + SummaryMetric.allCases.map(\.rawValue).joined(separator: ", ")
                + (known.isEmpty ? "; it has no training metrics." : "; its training metrics: \(known.joined(separator: ", ")).")
                + (LayerMetric(rawValue: name) != nil ? " (\(name) is a layer metric: add --layer NAME.)" : ""))
        }
        if withTraining { cs += known.map(SummaryColumn.training) }
        return .summary(cs, withTraining: false)
    }

    public func series(_ store: HistoryStore, run: String, last: Int?, after: Int64? = nil) throws -> [Series] {
        switch self {
        case .layer(let name, let ms):
            return try ms.map { Series(layer: name, metric: $0.rawValue,
                                       points: try store.layerSeries(run: run, layer: name, metric: $0, last: last,
                                                                     afterCheckpointID: after)) }
        case .allLayers(let m):
            return try store.allLayerSeries(run: run, metric: m, last: last, afterCheckpointID: after)
        case .summary(let cs, _):
            return try cs.map { c in
                switch c {
                case .ww(let m):
                    return Series(layer: nil, metric: m.rawValue,
                                  points: try store.summarySeries(run: run, metric: m, last: last, afterCheckpointID: after))
                case .training(let name):
                    return Series(layer: nil, metric: name,
                                  points: try store.trainingSeries(run: run, name: name, last: last, afterCheckpointID: after))
                }
            }
        }
    }
}

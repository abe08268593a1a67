import Foundation
import Store

/// Which series a `history` request names: one layer's metrics, one metric for every layer, or
/// the run's summary. Parsed here so `wwmon history` and `/api/v1/runs/RUN/history` accept the
/// same options with the same defaults and the same error sentences.
public enum HistoryQuery: Sendable {
    case layer(String, [LayerMetric]), allLayers(LayerMetric), summary([SummaryMetric])

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// `metrics` empty means the defaults: alpha; alpha and alpha_weighted for the summary.
    public init(metrics: [String], layer: String?, summary: Bool) throws {
        if layer != nil && summary { throw Invalid(description: "Use either --layer or --summary, not both.") }
        if summary {
            self = .summary(try (metrics.isEmpty ? ["alpha", "alpha_weighted"] : metrics).map { name in
                guard let m = SummaryMetric(rawValue: name) else {
                    throw Invalid(description: "Unknown summary metric \"\(name)\"; choose from \(SummaryMetric.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                return m
            })
            return
        }
        let ms = try (metrics.isEmpty ? ["alpha"] : metrics).map { name in
            guard let m = LayerMetric(rawValue: name) else {
                throw Invalid(description: "Unknown layer metric \"\(name)\"; choose from \(LayerMetric.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return m
        }
        if let layer { self = .layer(layer, ms); return }
        if ms.count > 1 {
            throw Invalid(description: "Every-layer view shows one metric; pass one --metric or add --layer/--summary.")
        }
        self = .allLayers(ms[0])
    }

    public func series(_ store: HistoryStore, run: String, last: Int?, after: Int64? = nil) throws -> [Series] {
        switch self {
        case .layer(let name, let ms):
            return try ms.map { Series(layer: name, metric: $0.rawValue,
                                       points: try store.layerSeries(run: run, layer: name, metric: $0, last: last,
                                                                     afterCheckpointID: after)) }
        case .allLayers(let m):
            return try store.allLayerSeries(run: run, metric: m, last: last, afterCheckpointID: after)
        case .summary(let ms):
            return try ms.map { Series(layer: nil, metric: $0.rawValue,
                                       points: try store.summarySeries(run: run, metric: $0, last: last,
                                                                       afterCheckpointID: after)) }
        }
    }
}

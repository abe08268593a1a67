import Foundation
import Metrics
import Store

/// `wwmon compare --json` and `GET /api/v1/runs/RUN/compare`: both summaries' deltas, per-layer
/// deltas biggest first, and which summary metric applies.
public struct CompareView: Encodable, Sendable {
    public struct Side: Encodable, Sendable { public var run: String; public var step: Int; public var path: String; public var version: Int }
    public struct Delta: Encodable, Sendable {
        public var layer: String?
        public var metric: String
        public var from: Double
        public var to: Double
        enum K: String, CodingKey { case layer, metric, from, to, delta }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: K.self)
            try c.encodeOrNull(layer, forKey: .layer); try c.encode(metric, forKey: .metric)
            try c.encodeNumber(from, forKey: .from); try c.encodeNumber(to, forKey: .to)
            try c.encodeNumber(to - from, forKey: .delta)
        }
    }

    public var from: Side, to: Side, metric: String, depthFrom: Int, depthTo: Int
    public var recommendedMetric: String, note: String
    public var summary: [Delta], layers: [Delta], onlyInFrom: [String], onlyInTo: [String]
    enum CodingKeys: String, CodingKey {
        case from, to, metric, depthFrom = "depth_from", depthTo = "depth_to"
        case recommendedMetric = "recommended_metric", note, summary, layers
        case onlyInFrom = "only_in_from", onlyInTo = "only_in_to"
    }

    public init(_ c: Comparison) {
        let metric = c.metric.rawValue
        let (recommended, note) = Self.guidance(c)
        func side(_ r: CheckpointRecord) -> Side { Side(run: r.run, step: r.step, path: r.path, version: r.version) }
        from = side(c.from); to = side(c.to); self.metric = metric
        depthFrom = c.depthFrom; depthTo = c.depthTo; recommendedMetric = recommended; self.note = note
        layers = c.deltas.map { Delta(layer: $0.layer, metric: metric, from: $0.from, to: $0.to) }
        summary = Self.summaryMetrics.map { name, kp in
            Delta(layer: nil, metric: name, from: c.from.summary?[keyPath: kp] ?? .nan, to: c.to.summary?[keyPath: kp] ?? .nan)
        }
        onlyInFrom = c.onlyInFrom; onlyInTo = c.onlyInTo
    }

    /// Which summary metric a comparison should be read with, and why.
    public static func guidance(_ c: Comparison) -> (metric: String, note: String) {
        if c.differentDepth {
            return ("alpha_weighted",
                    "The two sides differ in depth (\(c.depthFrom) vs \(c.depthTo) analysed layers): compare "
                    + "⟨alpha_weighted⟩ and ⟨log_spectral_norm⟩. ⟨alpha⟩ alone can mislead across depths "
                    + "(Simpson's paradox); use it for hyper-parameter changes within one architecture.")
        }
        return ("alpha",
                "Same depth (\(c.depthFrom) analysed layers): ⟨alpha⟩ compares hyper-parameters within this "
                + "architecture (smaller is better-trained while above 2); ⟨alpha_weighted⟩ is shown for depth and scale.")
    }

    public static var summaryMetrics: [(String, KeyPath<Summary, Double> & Sendable)] { [
        ("alpha", \.alpha), ("alpha_weighted", \.alphaWeighted), ("log_spectral_norm", \.logSpectralNorm),
        ("log_norm", \.logNorm), ("log_alpha_norm", \.logAlphaNorm), ("stable_rank", \.stableRank),
    ] }

    /// The whole `--json` document.
    public func json() throws -> String {
        String(decoding: try MachineJSON.encoder(pretty: true).encode(self), as: UTF8.self) + "\n"
    }
}

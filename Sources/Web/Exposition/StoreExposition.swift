import Foundation
import Prometheus
import Store

/// `/metrics`: what the store says about each run, in the Prometheus text format, followed by
/// the daemon's own health series (`health`, filled through swift-metrics by the daemon).
/// The per-run series are built in a fresh registry per scrape, so a run deleted from the
/// store disappears from the exposition instead of freezing at its last value.
public struct StoreExposition: Sendable {
    public var store: HistoryStore
    /// Per-layer alpha series (`[http] layer_metrics`): runs × layers series in all.
    public var layerMetrics: Bool
    public var health: PrometheusCollectorRegistry?

    public init(store: HistoryStore, layerMetrics: Bool, health: PrometheusCollectorRegistry?) {
        self.store = store; self.layerMetrics = layerMetrics; self.health = health
    }

    public func render() throws -> [UInt8] {
        let registry = PrometheusCollectorRegistry()
        let latest = try store.latestPerRun(layers: layerMetrics)
        let firing = try store.firingAlertCounts()
        for r in latest {
            let l = [("run", r.run)]
            registry.makeGauge(name: "wwmon_run_last_step", labels: l, help: "Training step of the run's newest analysed checkpoint.").set(Int64(r.step))
            registry.makeGauge(name: "wwmon_run_last_analyzed_timestamp_seconds", labels: l, help: "When the newest checkpoint was analysed (unix seconds).").set(r.analyzedAt.timeIntervalSince1970)
            registry.makeGauge(name: "wwmon_run_alpha_mean", labels: l, help: "Mean alpha over the analysed layers of the newest checkpoint (healthy 2-6).").set(r.summary.alpha)
            registry.makeGauge(name: "wwmon_run_alpha_weighted_mean", labels: l, help: "Mean alpha_weighted (alpha * log10 lambda_max) of the newest checkpoint.").set(r.summary.alphaWeighted)
            registry.makeGauge(name: "wwmon_run_log_spectral_norm_mean", labels: l, help: "Mean log10 spectral norm of the newest checkpoint.").set(r.summary.logSpectralNorm)
            registry.makeGauge(name: "wwmon_run_alerts_firing", labels: l, help: "Alerts firing for the run.").set(Int64(firing[r.run] ?? 0))
        }
        var out = registry.emitToBuffer()
        // Per-layer series written here, not through the registry: swift-prometheus 2.4.1 copies
        // a metric family on every new label set, so 20,000 layer gauges took ~10 s a scrape
        // (bench/dashboard-scale.sh); these lines follow its format and escaping.
        if latest.contains(where: { !$0.layerAlpha.isEmpty }) {
            out.append(contentsOf: "# HELP wwmon_layer_alpha Alpha of each layer at the run's newest analysed checkpoint.\n".utf8)
            out.append(contentsOf: "# TYPE wwmon_layer_alpha gauge\n".utf8)
            for r in latest {
                var prefix = Array("wwmon_layer_alpha{run=\"".utf8)
                Self.appendLabelValue(r.run, to: &prefix)
                prefix.append(contentsOf: "\",layer=\"".utf8)
                for (layer, alpha) in r.layerAlpha {
                    out.append(contentsOf: prefix)
                    Self.appendLabelValue(layer, to: &out)
                    out.append(contentsOf: "\"} ".utf8)
                    out.append(contentsOf: Self.value(alpha).utf8)
                    out.append(10)
                }
            }
        }
        health?.emit(into: &out)
        return out
    }

    /// Label values escape backslash, double quote and newline (text format 0.0.4).
    static func appendLabelValue(_ s: String, to out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\n"): out.append(contentsOf: [92, 110])
            default: out.append(b)
            }
        }
    }

    static func value(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return "\(v)"
    }
}

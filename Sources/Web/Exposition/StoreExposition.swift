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
            for (layer, alpha) in r.layerAlpha {
                registry.makeGauge(name: "wwmon_layer_alpha", labels: [("run", r.run), ("layer", layer)],
                                   help: "Alpha of each layer at the run's newest analysed checkpoint.").set(alpha)
            }
        }
        var out = registry.emitToBuffer()
        health?.emit(into: &out)
        return out
    }
}

import Alerts
import CoreMetrics
import Foundation

/// The daemon's own health as swift-metrics instruments (exported by `/metrics` when `[http]`
/// is on; names follow Prometheus conventions). Made from an explicit factory, never the global
/// `MetricsSystem`, so tests and the CLI decide where they go; the default goes nowhere.
public struct DaemonMetrics: Sendable {
    let recorded: Counter
    let failed: Counter
    let vanished: Counter
    let analysis: CoreMetrics.Timer
    let queueDepth: Gauge
    let lastSuccess: Gauge
    let hookRuns: Counter
    let hookFailures: Counter
    let rootsWatched: Gauge
    let rootsPolled: Gauge

    public init(factory: any MetricsFactory) {
        recorded = Counter(label: "wwmon_checkpoints_recorded_total", factory: factory)
        failed = Counter(label: "wwmon_checkpoints_failed_total", factory: factory)
        vanished = Counter(label: "wwmon_checkpoints_vanished_total", factory: factory)
        analysis = CoreMetrics.Timer(label: "wwmon_analysis_seconds", factory: factory)
        queueDepth = Gauge(label: "wwmon_queue_depth", factory: factory)
        lastSuccess = Gauge(label: "wwmon_last_success_timestamp_seconds", factory: factory)
        hookRuns = Counter(label: "wwmon_hook_runs_total", factory: factory)
        hookFailures = Counter(label: "wwmon_hook_failures_total", factory: factory)
        rootsWatched = Gauge(label: "wwmon_roots_watched", factory: factory)
        rootsPolled = Gauge(label: "wwmon_roots_polled", factory: factory)
    }

    /// Instruments that record nothing.
    public static var none: DaemonMetrics { DaemonMetrics(factory: NOOPMetricsHandler.instance) }

    func analysed(seconds: Double) {
        analysis.recordNanoseconds(Int64((seconds * 1e9).rounded()))
    }

    func recordedCheckpoint(at date: Date = Date()) {
        recorded.increment()
        lastSuccess.record(date.timeIntervalSince1970)
    }

    func state(queued: Int, roots: Int, polled: Int) {
        queueDepth.record(queued)
        rootsWatched.record(roots)
        rootsPolled.record(polled)
    }
}

/// Counts hook runs on their way to the store's `hook_runs` table.
struct CountingHookSink: HookRunSink {
    let inner: any HookRunSink
    let metrics: DaemonMetrics

    func hookRunFinished(_ record: HookRunRecord) async {
        metrics.hookRuns.increment()
        if record.exitStatus != 0 { metrics.hookFailures.increment() }
        await inner.hookRunFinished(record)
    }
}

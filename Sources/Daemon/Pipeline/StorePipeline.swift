import Alerts
import Analysis
import Checkpoint
import Foundation
import Logging
import Store

/// The real pipeline: the same analyze + record path as `wwmon ingest` (Analyzer with stored
/// per-tensor results reused, one HistoryStore transaction per checkpoint), then the alert rules.
public struct StorePipeline: CheckpointPipeline {
    public struct Analysed: Sendable {
        var report: CheckpointReport
        var identity: CheckpointIdentity
        var seconds: Double
    }

    public struct Changed: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "\(path) changed while it was being analysed" }
    }

    /// What a reload replaces: the analysis options and the alert rules with their hooks.
    actor Current {
        var analyzer: Analyzer
        var alerts: AlertPipeline?
        /// `[store] esd`: which checkpoints keep their eigenvalues.
        var spectra: SpectrumRetention?
        init(analyzer: Analyzer, alerts: AlertPipeline?, spectra: SpectrumRetention?) {
            self.analyzer = analyzer; self.alerts = alerts; self.spectra = spectra
        }
        func set(analyzer: Analyzer, alerts: AlertPipeline?, spectra: SpectrumRetention?) {
            self.analyzer = analyzer; self.alerts = alerts; self.spectra = spectra
        }
    }

    public let store: HistoryStore
    let current: Current
    let logger: Logger
    let metrics: DaemonMetrics

    public init(store: HistoryStore, config: DaemonConfig, logger: Logger, metrics: DaemonMetrics = .none) {
        self.store = store; self.logger = logger; self.metrics = metrics
        current = Current(analyzer: Self.analyzer(config, logger), alerts: Self.alerts(config, store, logger, metrics),
                          spectra: config.store.spectra)
    }

    static func analyzer(_ c: DaemonConfig, _ logger: Logger) -> Analyzer {
        Analyzer(options: AnalysisOptions(pool: c.analysis.pool,
                                          concurrency: c.analysis.threads ?? ProcessInfo.processInfo.activeProcessorCount))
    }

    static func alerts(_ c: DaemonConfig, _ store: HistoryStore, _ logger: Logger, _ metrics: DaemonMetrics) -> AlertPipeline {
        let alertStore = HistoryAlertStore(store: store)
        return AlertPipeline(settings: c.alerts, store: alertStore,
                             dispatcher: HookDispatcher(hooks: c.hooks, sink: CountingHookSink(inner: alertStore, metrics: metrics)))
    }

    public func reconfigure(_ config: DaemonConfig) async {
        await current.set(analyzer: Self.analyzer(config, logger), alerts: Self.alerts(config, store, logger, metrics),
                          spectra: config.store.spectra)
    }

    /// Reminders for alerts still firing after their repeat interval.
    public var maintenanceInterval: Duration? { .seconds(300) }

    public func maintenance() async {
        do { _ = try await current.alerts?.remindDue() } catch {
            logger.error("alert reminders failed: \(error)")
        }
    }

    public func isRecorded(_ job: AnalysisJob) async throws -> Bool {
        try store.isRecorded(try CheckpointIdentity.of(path: job.candidate.analysisPath))
    }

    public func analyze(_ job: AnalysisJob) async throws -> Analysed {
        let path = job.candidate.analysisPath
        let identity = try CheckpointIdentity.of(path: path)
        // Wall-clock start with sub-second precision (the log prefix has whole seconds only):
        // bench/daemon-latency.sh measures completion-to-analysis latency from this line.
        logger.debug("analysis start \(path)",
                     metadata: ["unix_time": "\(String(format: "%.6f", Date().timeIntervalSince1970))"])
        let start = ContinuousClock.now
        let store = self.store
        let analyzer = await current.analyzer
        var report = try await analyzer.analyze(try CheckpointReader.open(path), reuse: { key in
            (try? store.layerReports(forHashes: [key]))?[key]
        })
        let d = ContinuousClock.now - start
        // Content first (the readers' TrainingProgress), then the name the watcher saw.
        if report.checkpoint.step == nil, let s = job.candidate.nameHint?.step {
            report.checkpoint.step = s
            report.checkpoint.stepSource = StepSource.name.rawValue
        }
        if report.checkpoint.epoch == nil, let e = job.candidate.nameHint?.epoch {
            report.checkpoint.epoch = e
        }
        report.checkpoint.path = path
        return Analysed(report: report, identity: identity,
                        seconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    public func record(_ a: Analysed, for job: AnalysisJob) async throws -> RecordSummary {
        let path = job.candidate.analysisPath
        guard (try? CheckpointIdentity.of(path: path)) == a.identity else { throw Changed(path: path) }
        let outcome = try store.record(run: job.run, root: job.candidate.root, report: a.report,
                                       identity: a.identity, durationSeconds: a.seconds,
                                       spectra: await current.spectra)
        var step = a.report.checkpoint.step
        if case .inserted = outcome { metrics.analysed(seconds: a.seconds) }
        if case .inserted(let id) = outcome {
            step = (try? store.checkpoints(run: job.run).first { $0.id == id })?.step ?? step
            if let alerts = await current.alerts, let s = step {
                do {
                    try await alerts.checkpointRecorded(run: job.run, step: s, rows: a.report.layers,
                                                        summary: a.report.summary)
                } catch {
                    logger.error("alert rules failed for \(path): \(error)")
                }
            }
        }
        return RecordSummary(step: step, layerCount: a.report.layers.count)
    }

    public func recordError(_ message: String, for job: AnalysisJob) async throws {
        let path = job.candidate.analysisPath
        let identity = try CheckpointIdentity.of(path: path)
        let outcome = try store.recordError(run: job.run, root: job.candidate.root, path: path,
                                            step: job.candidate.nameHint?.step,
                                            epoch: job.candidate.nameHint?.epoch,
                                            identity: identity, error: message)
        if case .inserted(let id) = outcome, let alerts = await current.alerts,
           let step = (try? store.checkpoints(run: job.run).first { $0.id == id })?.step {
            do { try await alerts.checkpointFailed(run: job.run, step: step, path: path, error: message) } catch {
                logger.error("alert rules failed for \(path): \(error)")
            }
        }
    }
}

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

    /// What a reload replaces: the analysis options and the alert rules with their hooks.
    actor Current {
        var analyzers: Analyzers
        var alerts: AlertPipeline?
        var tags: RunTags
        /// `[store] esd`: which checkpoints keep their eigenvalues.
        var spectra: SpectrumRetention?
        /// `[store.retention]`, applied by `maintenance()`.
        var retention: RetentionPolicy
        init(analyzers: Analyzers, alerts: AlertPipeline?, tags: RunTags, spectra: SpectrumRetention?,
             retention: RetentionPolicy) {
            self.analyzers = analyzers; self.alerts = alerts; self.tags = tags; self.spectra = spectra
            self.retention = retention
        }
        func set(analyzers: Analyzers, alerts: AlertPipeline?, tags: RunTags, spectra: SpectrumRetention?,
                 retention: RetentionPolicy) {
            self.analyzers = analyzers; self.alerts = alerts; self.tags = tags; self.spectra = spectra
            self.retention = retention
        }
        func analyzer(root: String) -> Analyzer { analyzers.byRoot[root] ?? analyzers.global }
    }

    /// One analyzer per watch root (a watch's WeightWatcher keys over `[analysis]`'s).
    struct Analyzers: Sendable {
        var global: Analyzer
        var byRoot: [String: Analyzer]
    }

    public let store: HistoryStore
    let current: Current
    let logger: Logger
    let metrics: DaemonMetrics
    /// Analyses in progress, for STATUS= and `wwmon runs`.
    let progress: ProgressBoard

    public init(store: HistoryStore, config: DaemonConfig, logger: Logger, metrics: DaemonMetrics = .none) {
        self.store = store; self.logger = logger; self.metrics = metrics
        progress = ProgressBoard(store: store, logger: logger)
        current = Current(analyzers: Self.analyzers(config, logger), alerts: Self.alerts(config, store, logger, metrics),
                          tags: RunTags(config), spectra: config.store.spectra,
                          retention: config.store.retention)
    }

    static func analyzers(_ c: DaemonConfig, _ logger: Logger) -> Analyzers {
        let threads = c.analysis.threads ?? ProcessInfo.processInfo.activeProcessorCount
        func make(_ s: WWSettings) -> Analyzer {
            var o = s.options(pool: c.analysis.pool, concurrency: threads)
            o.memoryLimitBytes = c.analysis.memoryLimitMB.map { $0 << 20 }
            return Analyzer(options: o, logger: logger)
        }
        var byRoot: [String: Analyzer] = [:]
        for w in c.watches { byRoot[w.path] = make(c.analysis.ww.overridden(by: w.ww)) }
        return Analyzers(global: make(c.analysis.ww), byRoot: byRoot)
    }

    static func alerts(_ c: DaemonConfig, _ store: HistoryStore, _ logger: Logger, _ metrics: DaemonMetrics) -> AlertPipeline {
        // The caller's logger all the way down (`wwmon ingest` passes a quiet one: its alert
        // lines would otherwise fill a pipe nobody reads while it runs).
        let alertStore = HistoryAlertStore(store: store, logger: logger)
        return AlertPipeline(settings: c.alerts, store: alertStore,
                             dispatcher: HookDispatcher(hooks: c.hooks, sink: CountingHookSink(inner: alertStore, metrics: metrics),
                                                        logger: logger),
                             logger: logger)
    }

    public func reconfigure(_ config: DaemonConfig) async {
        await current.set(analyzers: Self.analyzers(config, logger), alerts: Self.alerts(config, store, logger, metrics),
                          tags: RunTags(config), spectra: config.store.spectra,
                          retention: config.store.retention)
    }

    /// Reminders for alerts still firing after their repeat interval; retention.
    public var maintenanceInterval: Duration? { .seconds(300) }

    /// Also delivers hook events left unsent by a crash (the outbox; at start, then every tick).
    public func maintenance() async {
        do { try await current.alerts?.redeliverUnsent() } catch {
            logger.error("hook outbox could not be read: \(error)")
        }
        do { _ = try await current.alerts?.remindDue() } catch {
            logger.error("alert reminders failed: \(error)")
        }
        _ = RetentionPass(policy: await current.retention).run(on: store, now: Date(), logger: logger)
        do { try store.clearAbandonedProgress() } catch {
            logger.debug("progress rows of ended processes not cleared", metadata: ["error": "\(error)"])
        }
    }

    public func progressStatus() async -> String? { progress.statusText() }

    public func isRecorded(_ job: AnalysisJob) async throws -> Bool {
        try store.isRecorded(job.identity)
    }

    /// The readers open the checkpoint again (headers and small metadata files only) and the
    /// recorded point takes the step, epoch and metrics they now find.
    public func refresh(_ job: AnalysisJob) async throws -> Int? {
        guard job.failure == nil, job.userStep == nil,
              let contents = try? CheckpointReader.open(job.candidate.analysisPath) else { return nil }
        guard let r = try store.refresh(identity: job.identity, step: contents.step,
                                        stepSource: contents.stepSource?.rawValue, epoch: contents.epoch,
                                        training: contents.training) else { return nil }
        if r.stepChanged, let alerts = await current.alerts {
            do { try await alerts.reevaluate(run: r.run) } catch {
                logger.error("alert rules failed", metadata: ["path": "\(job.path)", "error": "\(error)"])
            }
        }
        return r.step
    }

    public func analyze(_ job: AnalysisJob) async throws -> Analysed {
        let path = job.candidate.analysisPath
        let identity = job.identity
        // Wall-clock start with sub-second precision (the log prefix has whole seconds only):
        // bench/daemon-latency.sh measures completion-to-analysis latency from this line.
        logger.debug("analysis start \(path)",
                     metadata: ["unix_time": "\(String(format: "%.6f", Date().timeIntervalSince1970))"])
        let start = ContinuousClock.now
        let store = self.store
        let analyzer = await current.analyzer(root: job.candidate.root)
        // Opened once: by the readiness check when it ran (the stamps are checked unchanged
        // since), else here.
        var report: CheckpointReport
        if let given = job.precomputed?.report {
            report = given
        } else {
            let contents = try job.opened?.contents ?? CheckpointReader.open(path)
            let board = progress, run = job.run
            defer { board.finish(path: path) }
            report = try await analyzer.analyze(contents, reuse: { key in
                (try? store.layerReports(forHashes: [key]))?[key]
            }, progress: { board.update(run: run, path: path, done: $0, total: $1) })
        }
        let d = ContinuousClock.now - start
        // The step is the readers' (framework, optimizer, file name); none: the store numbers
        // it in arrival order. `wwmon ingest --step` overrides.
        if let s = job.userStep { report.checkpoint.step = s; report.checkpoint.stepSource = StepSource.user.rawValue }
        if let e = job.userEpoch { report.checkpoint.epoch = e }
        report.checkpoint.path = path
        return Analysed(report: report, identity: identity,
                        seconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    public func record(_ a: Analysed, for job: AnalysisJob) async throws -> RecordSummary {
        let outcome = try store.record(run: job.run, root: job.rootForStore, report: a.report,
                                       identity: a.identity, durationSeconds: a.seconds,
                                       spectra: await current.spectra)
        switch outcome {
        case .duplicate:
            return RecordSummary(step: a.report.checkpoint.step, layerCount: a.report.layers.count)
        case .alias(let id, let step):
            // The alias may have given the point a better step: judge the run in step order again.
            if let alerts = await current.alerts {
                do { try await alerts.reevaluate(run: job.run) } catch {
                    logger.error("alert rules failed", metadata: ["path": "\(job.path)", "error": "\(error)"])
                }
            }
            return RecordSummary(step: step, layerCount: a.report.layers.count, aliasOf: step, checkpointID: id)
        case .inserted(let id):
            await current.tags.apply(store: store, run: job.run, root: job.candidate.root, logger: logger)
            metrics.analysed(seconds: a.seconds)
            let step = try store.step(ofCheckpoint: id)
            if let alerts = await current.alerts {
                do {
                    try await alerts.checkpointRecorded(run: job.run, step: step, rows: a.report.layers,
                                                        summary: a.report.summary)
                } catch {
                    logger.error("alert rules failed", metadata: ["path": "\(job.path)", "error": "\(error)"])
                }
            }
            return RecordSummary(step: step, layerCount: a.report.layers.count, checkpointID: id,
                                 layersReused: a.report.checkpoint.layersReused)
        }
    }

    /// Waits for every hook process started so far (`wwmon ingest` exits only after them).
    public func hooksIdle() async {
        await current.alerts?.dispatcher.idle()
    }

    /// The step of a checkpoint that cannot be read: the user's, else what its name says by
    /// the readers' own `StepParser` (never a run folder's name), else arrival order.
    func unreadStep(_ job: AnalysisJob) -> (step: Int?, epoch: Double?, source: String?) {
        if let s = job.userStep { return (s, job.userEpoch, StepSource.user.rawValue) }
        let named = StepParser.parse(name: (job.candidate.analysisPath as NSString).lastPathComponent)
        return (named.step, job.userEpoch ?? named.epoch, named.step == nil ? nil : StepSource.name.rawValue)
    }

    public func recordError(_ message: String, for job: AnalysisJob) async throws {
        let path = job.candidate.analysisPath
        let (step, epoch, source) = unreadStep(job)
        let outcome = try store.recordError(run: job.run, root: job.rootForStore, path: path, step: step,
                                            epoch: epoch, stepSource: source, identity: job.identity, error: message)
        if case .inserted(let id) = outcome, let alerts = await current.alerts {
            let step = try store.step(ofCheckpoint: id)
            do { try await alerts.checkpointFailed(run: job.run, step: step, path: path, error: message) } catch {
                logger.error("alert rules failed", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
    }

    public func recordVanished(_ job: AnalysisJob) async throws {
        let (step, epoch, source) = unreadStep(job)
        _ = try store.recordVanished(run: job.run, root: job.rootForStore, step: step, epoch: epoch,
                                     stepSource: source, identity: job.identity)
    }
}

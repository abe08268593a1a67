import Alerts
import Foundation
import Glibc
import Logging
import Store

/// The daemon's main loop: watcher signals, poll and settle timers, finished analyses, reloads
/// and watchdog pings all arrive as inputs on one stream and are handled in order by this actor,
/// which owns the per-root state and the readiness tracker. Analyses run on the scheduler.
public actor DaemonCore<Pipeline: CheckpointPipeline> {
    public enum Input: Sendable {
        case watch(WatchSignal)
        case finished(AnalysisScheduler<Pipeline>.Finished)
        case timer
        case watchdog
        /// Every few seconds: the STATUS= line follows an analysis in progress.
        case progress
        case reload(Result<DaemonConfig, ConfigError>)
        case stop
    }

    /// How one configured root is being followed.
    struct RootState {
        var settings: WatchSettings
        var polled: Bool
        var pollReason: String?
        var present: Bool
        var nextPoll: ContinuousClock.Instant?
    }

    private var config: DaemonConfig
    private let pipeline: Pipeline
    private let scheduler: AnalysisScheduler<Pipeline>
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let metrics: DaemonMetrics
    private var watcher: TreeWatcher?
    private var roots: [String: RootState] = [:]
    private var tracker = ReadinessTracker()
    /// Candidates waiting to settle (or to be whole), by path, with the run folder to re-list.
    private var waiting: [String: (runDir: String, root: String, due: ContinuousClock.Instant)] = [:]
    /// Candidates seen but not yet handed to analysis, with their last stamps: if one leaves
    /// the listing it is `missing`, and still gone after a grace period it is recorded `vanished`.
    private var unseen: [String: (candidate: CheckpointCandidate, stamps: FileStamps?)] = [:]
    private var missing: [String: (candidate: CheckpointCandidate, stamps: FileStamps, due: ContinuousClock.Instant)] = [:]
    private var dirtyRuns: Set<String> = []
    private var dirtyRoots: Set<String> = []
    private var dirtyDue: ContinuousClock.Instant?
    private var nextRescan: ContinuousClock.Instant
    private var timerTask: Task<Void, Never>?
    private var timerDue: ContinuousClock.Instant?
    private var lastRecorded: String?
    private var counts = (recorded: 0, failed: 0, skipped: 0)
    private var stopped = false
    private var lastStatus: String?
    private var nextMaintenance: ContinuousClock.Instant?
    private var retries = RetryPolicy()

    public nonisolated let inputs: AsyncStream<Input>
    private nonisolated let input: AsyncStream<Input>.Continuation

    public init(config: DaemonConfig, pipeline: Pipeline, notifier: SystemdNotifier, logger: Logger,
                metrics: DaemonMetrics = .none) {
        self.config = config
        self.metrics = metrics
        self.pipeline = pipeline
        self.scheduler = AnalysisScheduler(pipeline: pipeline, concurrency: config.analysis.concurrency,
                                           timeLimit: .seconds(clamping: config.analysis.timeLimitSeconds))
        self.notifier = notifier
        self.logger = logger
        self.nextRescan = .now + .seconds(clamping: config.daemon.rescanIntervalSeconds)
        self.nextMaintenance = pipeline.maintenanceInterval.map { .now + $0 }
        (inputs, input) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .unbounded)
    }

    // MARK: requests from outside (signals, tests)

    public nonisolated func requestStop() { input.yield(.stop) }
    public nonisolated func requestReload(_ result: Result<DaemonConfig, ConfigError>) {
        input.yield(.reload(result))
    }

    /// Counters for tests and status.
    public var stats: (recorded: Int, failed: Int, skipped: Int, queued: Int) {
        get async { (counts.recorded, counts.failed, counts.skipped, await scheduler.queuedCount) }
    }

    // MARK: the loop

    /// Runs until `requestStop()`; returns after the scheduler has stopped (graceful stop).
    public func run() async {
        let finished = scheduler.finished
        let forwardResults = Task { [input] in
            for await f in finished { input.yield(.finished(f)) }
        }
        var watchdogTask: Task<Void, Never>?
        if let interval = notifier.watchdogInterval {
            watchdogTask = Task { [input] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    input.yield(.watchdog)
                }
            }
        }
        // Owned here and cancelled below like the watchdog; sendStatus sends only a changed line.
        let progressTask = Task { [input] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(2))
                input.yield(.progress)
            }
        }
        await start()
        // The catch-up may leave checkpoints settling and polled roots due: arm their deadlines
        // now, not only after the first event (a quiet folder may never send one).
        armTimer()
        for await event in inputs {
            await handle(event)
            if stopped { break }
            armTimer()
        }
        watchdogTask?.cancel()
        progressTask.cancel()
        timerTask?.cancel()
        await scheduler.shutdown(timeout: .seconds(clamping: config.daemon.stopTimeoutSeconds))
        forwardResults.cancel()
        await watcher?.stop()
        logger.notice("stopped", metadata: ["recorded": "\(counts.recorded)", "errors": "\(counts.failed)"])
    }

    /// Watch every root, then the catch-up scan: every run listed, every complete checkpoint not
    /// yet in the store scheduled. READY=1 goes out once that is done.
    private func start() async {
        // Hook events a crash left in the outbox go out first (issue 10, point 7).
        await pipeline.maintenance()
        await apply(config, initial: true)
        let status = await statusLine()
        lastStatus = status
        notifier.ready(status: status)
        logger.notice("ready: \(status)")
    }

    private func handle(_ event: Input) async {
        switch event {
        case .watch(let s): await handleWatch(s)
        case .finished(let f): await handleFinished(f)
        case .timer: await handleTimer()
        case .watchdog: notifier.watchdog()
        case .progress: if await scheduler.runningCount > 0 || lastStatus?.contains("analysing ") == true { await sendStatus() }
        case .reload(let result): await reload(result)
        case .stop:
            stopped = true
            notifier.stopping()
            logger.notice("stopping: no new analyses; a running one gets \(config.daemon.stopTimeoutSeconds)s")
        }
    }

    // MARK: roots

    private func apply(_ new: DaemonConfig, initial: Bool) async {
        let oldPaths = Set(roots.keys)
        let newPaths = Set(new.watches.map(\.path))
        for gone in oldPaths.subtracting(newPaths) {
            await watcher?.removeRoot(gone)
            roots[gone] = nil
            for p in tracker.tracked(under: gone) { tracker.forget(p); waiting[p] = nil }
        }
        config = new
        await scheduler.setConcurrency(new.analysis.concurrency)
        await scheduler.setTimeLimit(.seconds(clamping: new.analysis.timeLimitSeconds))
        nextRescan = .now + .seconds(clamping: new.daemon.rescanIntervalSeconds)
        for w in new.watches {
            if let existing = roots[w.path], existing.settings == w { continue }
            if roots[w.path] != nil { await watcher?.removeRoot(w.path) }
            await addRoot(w)
        }
        for path in roots.keys { await scanRoot(path) }
    }

    private func addRoot(_ w: WatchSettings) async {
        var state = RootState(settings: w, polled: false, pollReason: nil, present: isDirectory(w.path))
        var reason: String?
        switch w.mode {
        case .poll: reason = "mode = poll"
        case .auto:
            if let fs = FilesystemKind.networkFilesystem(at: w.path) {
                reason = "\(fs) filesystem gives no events for writes from other machines"
            }
        case .inotify: break
        }
        if reason == nil {
            if watcher == nil { await startWatcher() }
            if let watcher {
                let depth = w.maxDepth + (w.runsInSubdirectories ? 1 : 0)
                switch await watcher.addRoot(w.path, depth: depth) {
                case .watching: break
                case .awaiting: logger.warning("watch root does not exist yet; waiting for it", metadata: ["root": "\(w.path)"])
                case .limit:
                    reason = "the inotify watch limit was reached (raise the sysctl fs.inotify.max_user_watches)"
                    await watcher.removeRoot(w.path)
                }
            } else {
                reason = "inotify is unavailable"
            }
        }
        if let reason {
            state.polled = true
            state.pollReason = reason
            state.nextPoll = .now + .seconds(clamping: w.pollIntervalSeconds)
            let level: Logger.Level = w.mode == .poll ? .info : (reason.contains("max_user_watches") ? .error : .notice)
            logger.log(level: level, "polling root every \(w.pollIntervalSeconds)s: \(reason)", metadata: ["root": "\(w.path)"])
            if !state.present { logger.warning("watch root does not exist yet; waiting for it", metadata: ["root": "\(w.path)"]) }
        }
        roots[w.path] = state
    }

    private func startWatcher() async {
        do {
            let w = try TreeWatcher()
            await w.start()
            let signals = w.signals
            Task { [input] in for await s in signals { input.yield(.watch(s)) } }
            watcher = w
        } catch {
            logger.error("cannot start inotify (\(error)); every root will be polled")
        }
    }

    /// The root a path lies under (the deepest, when roots nest).
    private func root(of path: String) -> String? {
        roots.keys.filter { path == $0 || path.hasPrefix($0 + "/") }.max { $0.count < $1.count }
    }

    /// The run folder a path belongs to; nil for the root itself of a folder of runs.
    private func runDir(of path: String, root: String) -> String? {
        guard let st = roots[root] else { return nil }
        guard st.settings.runsInSubdirectories else { return root }
        guard path != root, let first = path.dropFirst(root.count + 1).split(separator: "/").first else { return nil }
        return root + "/" + first
    }

    private func runName(_ runDir: String, root: String) -> String {
        guard let st = roots[root] else { return lastPathComponent(runDir) }
        return st.settings.runsInSubdirectories ? lastPathComponent(runDir) : st.settings.runName
    }

    private func runDirs(of root: String) -> [String] {
        guard let st = roots[root], isDirectory(root) else { return [] }
        guard st.settings.runsInSubdirectories else { return [root] }
        // A subfolder configured as a root of its own belongs to that root (and its run name).
        return CheckpointLayout.list(root).filter { $0.isDir && !CheckpointLayout.isTemporary($0.name) }
            .map { root + "/" + $0.name }.filter { roots[$0] == nil }
    }

    private func scanRoot(_ root: String) async {
        let present = isDirectory(root)
        if roots[root]?.present == true, !present {
            logger.warning("watch root is gone; waiting for it to come back", metadata: ["root": "\(root)"])
        }
        roots[root]?.present = present
        let runs = runDirs(of: root)
        for p in tracker.tracked(under: root) where !runs.contains(where: { p.hasPrefix($0 + "/") || p == $0 }) {
            tracker.forget(p); waiting[p] = nil; lost(p)
        }
        for r in runs { await scanRun(r, root: root) }
    }

    /// Lists one run folder and looks at each candidate once (the listing is the truth).
    private func scanRun(_ runDir: String, root: String) async {
        guard let st = roots[root] else { return }
        let w = st.settings
        let found = CheckpointLayout.scan(runDir: runDir, run: runName(runDir, root: root), root: root,
                                          patterns: w.patterns, maxDepth: w.maxDepth,
                                          symlinksOutsideRoot: w.symlinksOutsideRoot)
        let paths = Set(found.map(\.path))
        for p in tracker.tracked(under: runDir) where !paths.contains(p) {
            tracker.forget(p); waiting[p] = nil; lost(p)
        }
        for c in found { await look(at: c, runDir: runDir, settings: w) }
    }

    /// A candidate left its folder's listing. Not yet analysed: missing, and recorded as
    /// vanished unless it is back within the grace period (a link being replaced, a rename).
    private func lost(_ path: String) {
        guard let u = unseen.removeValue(forKey: path), let stamps = u.stamps else { return }
        let settle = root(of: path).flatMap { roots[$0]?.settings.settleSeconds } ?? 1
        missing[path] = (u.candidate, stamps, .now + .seconds(clamping: max(1, settle)))
    }

    private func look(at c: CheckpointCandidate, runDir: String, settings w: WatchSettings) async {
        missing[c.path] = nil
        let now = ContinuousClock.now
        var opened: OpenedCheckpoint?
        let fp = c.stamps()
        var quiet = Duration.zero
        if let newest = fp?.newestMtimeNs {
            var ts = timespec(); clock_gettime(CLOCK_REALTIME, &ts)
            let ageNanos = (Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)) - newest
            if ageNanos > 0 { quiet = .nanoseconds(ageNanos) }
        }
        let decision = tracker.observe(path: c.path, fingerprint: fp, settle: .seconds(clamping: w.settleSeconds),
                                       incompleteAfter: .seconds(clamping: w.incompleteErrorSeconds), now: now,
                                       quietFor: quiet) {
            let (state, contents) = c.open()
            opened = contents
            return state
        }
        switch decision {
        case .wait(let due):
            waiting[c.path] = (runDir, c.root, due)
            unseen[c.path] = (c, fp)
        case .ready(let fp):
            waiting[c.path] = nil
            unseen[c.path] = nil
            await scheduler.submit(AnalysisJob(candidate: c, fingerprint: fp, opened: opened))
        case .failed(let fp, let why):
            waiting[c.path] = nil
            unseen[c.path] = nil
            logger.warning("checkpoint never became whole: \(why)", metadata: ["run": "\(c.run)"])
            await scheduler.submit(AnalysisJob(candidate: c, fingerprint: fp, failure: "incomplete checkpoint: \(why)"))
        case .handled, .gone:
            waiting[c.path] = nil
        }
    }

    // MARK: inputs

    private func handleWatch(_ s: WatchSignal) async {
        switch s {
        case .changed(let path):
            guard let r = root(of: path) else { return }
            if let run = runDir(of: path, root: r) { dirtyRuns.insert(run) } else { dirtyRoots.insert(r) }
            // Coalesce a burst (200 checkpoints dropped at once) into one listing per run.
            if dirtyDue == nil { dirtyDue = .now + .milliseconds(200) }
        case .rescanAll(let why):
            logger.notice("rescanning every root: \(why)")
            dirtyRoots.formUnion(roots.keys)
            dirtyDue = .now
        case .rootAppeared(let r):
            logger.notice("watch root appeared", metadata: ["root": "\(r)"])
            dirtyRoots.insert(r); dirtyDue = .now
        case .rootGone(let r):
            logger.warning("watch root was deleted or moved; waiting for it to come back", metadata: ["root": "\(r)"])
            roots[r]?.present = false
            dirtyRoots.insert(r); dirtyDue = .now
        case .watchLimit(let root, let path):
            guard let r = self.root(of: root), roots[r]?.polled == false else { return }
            logger.error("inotify watch limit reached at \(path); polling this root instead. Raise the sysctl fs.inotify.max_user_watches (e.g. `sysctl fs.inotify.max_user_watches=524288`)",
                         metadata: ["root": "\(r)"])
            await watcher?.removeRoot(r)
            roots[r]?.polled = true
            roots[r]?.pollReason = "inotify watch limit (fs.inotify.max_user_watches)"
            roots[r]?.nextPoll = .now
        }
    }

    private func handleTimer() async {
        let now = ContinuousClock.now
        if let due = dirtyDue, due <= now {
            dirtyDue = nil
            let rootsToScan = dirtyRoots, runsToScan = dirtyRuns
            dirtyRoots = []; dirtyRuns = []
            for r in rootsToScan { await scanRoot(r) }
            for run in runsToScan {
                guard let r = root(of: run), !rootsToScan.contains(r) else { continue }
                await scanRun(run, root: r)
            }
        }
        for (path, st) in roots where st.polled && (st.nextPoll ?? now) <= now {
            roots[path]?.nextPoll = now + .seconds(clamping: st.settings.pollIntervalSeconds)
            await scanRoot(path)
        }
        if let m = nextMaintenance, m <= now, let interval = pipeline.maintenanceInterval {
            nextMaintenance = now + interval
            await pipeline.maintenance()
        }
        if nextRescan <= now {
            nextRescan = now + .seconds(clamping: config.daemon.rescanIntervalSeconds)
            for r in roots.keys { await scanRoot(r) }
        }
        for (path, m) in missing where m.due <= now {
            missing[path] = nil
            guard access(path, F_OK) != 0 else { continue }
            // Through the scheduler like any job: it finds the files gone and records `vanished`.
            await scheduler.submit(AnalysisJob(candidate: m.candidate, fingerprint: m.stamps))
        }
        // Settle deadlines: re-list those candidates' runs (new files may have joined a folder).
        let due = waiting.filter { $0.value.due <= now }
        var runs: Set<String> = []
        for (_, w) in due { runs.insert(w.runDir) }
        for run in runs {
            guard let r = root(of: run) else { continue }
            await scanRun(run, root: r)
        }
        await sendStatus()
    }

    /// STATUS= only when the line changed.
    private func sendStatus() async {
        let s = await statusLine()
        guard s != lastStatus else { return }
        lastStatus = s
        notifier.status(s)
    }

    private func handleFinished(_ f: AnalysisScheduler<Pipeline>.Finished) async {
        let c = f.job.candidate
        switch f.outcome {
        case .recorded(let s) where s.aliasOf != nil:
            logger.info("same tensors as a recorded checkpoint; recorded as its alias",
                        metadata: ["run": "\(c.run)", "path": "\(c.path)", "step": "\(s.aliasOf!)"])
        case .recorded(let s):
            retries.succeeded(c.path)
            counts.recorded += 1
            metrics.recordedCheckpoint()
            lastRecorded = "\(c.run)/" + (s.step.map { "step \($0)" } ?? lastPathComponent(c.path))
            logger.info("recorded \(c.path)", metadata: ["run": "\(c.run)", "step": "\(s.step.map(String.init) ?? "-")",
                                                          "layers": "\(s.layerCount)"])
        case .updated(let step):
            logger.info("files beside the weights completed a recorded checkpoint",
                        metadata: ["run": "\(c.run)", "path": "\(c.path)", "step": "\(step)"])
        case .skipped(let why):
            counts.skipped += 1
            logger.debug("not a model, skipped", metadata: ["path": "\(c.path)", "reason": "\(why)"])
        case .failed(let why):
            counts.failed += 1
            metrics.failed.increment()
            logger.error("analysis failed, recorded as an error: \(why)", metadata: ["run": "\(c.run)", "path": "\(c.path)"])
        case .alreadyRecorded:
            logger.debug("already recorded: \(c.path)")
        case .gone:
            counts.skipped += 1
            metrics.vanished.increment()
            logger.warning("checkpoint deleted before it could be analysed; recorded as vanished (settle_seconds longer than the trainer keeps it?)",
                           metadata: ["run": "\(c.run)", "path": "\(c.path)"])
        case .changed:
            logger.info("checkpoint changed while it was read; waiting for it to settle again", metadata: ["path": "\(c.path)"])
            tracker.forget(c.path)
            await scheduler.forget(f.job.key)
            if let r = root(of: c.path), let run = runDir(of: c.path, root: r) {
                dirtyRuns.insert(run); dirtyDue = dirtyDue ?? .now
            }
        case .storeError(let why):
            logger.error("store error, will retry: \(why)", metadata: ["path": "\(c.path)"])
            tracker.forget(c.path)
            await scheduler.forget(f.job.key)
            if let r = root(of: c.path), let run = runDir(of: c.path, root: r) {
                dirtyRuns.insert(run)
                let retry = ContinuousClock.now + .seconds(5)
                dirtyDue = min(dirtyDue ?? retry, retry)
            }
        case .abandoned:
            logger.notice("analysis abandoned by shutdown; nothing written", metadata: ["path": "\(c.path)"])
        case .retry(let why):
            let delay = retries.failed(c.path)
            logger.warning("checkpoint unreadable, will retry: \(why)",
                           metadata: ["path": "\(c.path)", "retry_in_s": "\(delay.components.seconds)"])
            tracker.forget(c.path)
            await scheduler.forget(f.job.key)
            if let r = root(of: c.path), let run = runDir(of: c.path, root: r) {
                dirtyRuns.insert(run)
                let retry = ContinuousClock.now + delay
                dirtyDue = min(dirtyDue ?? retry, retry)
            }
        }
        await sendStatus()
    }

    private func reload(_ result: Result<DaemonConfig, ConfigError>) async {
        notifier.reloading()
        switch result {
        case .success(let new):
            logger.notice("configuration reloaded", metadata: ["roots": "\(new.watches.count)"])
            await pipeline.reconfigure(new)
            await apply(new, initial: false)
        case .failure(let e):
            logger.error("configuration rejected, keeping the running one: \(e)")
        }
        let status = await statusLine()
        lastStatus = status
        notifier.ready(status: status)
    }

    // MARK: timer and status

    private func earliestDue() -> ContinuousClock.Instant? {
        var due: [ContinuousClock.Instant] = [nextRescan]
        if let m = nextMaintenance { due.append(m) }
        if let d = dirtyDue { due.append(d) }
        if let w = waiting.values.map(\.due).min() { due.append(w) }
        if let m = missing.values.map(\.due).min() { due.append(m) }
        due += roots.values.compactMap { $0.polled ? $0.nextPoll : nil }
        return due.min()
    }

    /// One timer task at a time, re-armed only when the earliest deadline moves: an idle daemon on
    /// local disks sleeps until the periodic rescan.
    private func armTimer() {
        guard let due = earliestDue() else { return }
        if let current = timerDue, current == due, timerTask != nil { return }
        timerTask?.cancel()
        timerDue = due
        timerTask = Task { [input] in
            try? await Task.sleep(until: due, clock: .continuous)
            if !Task.isCancelled { input.yield(.timer) }
        }
    }

    func statusLine() async -> String {
        var runs = 0
        for r in roots.keys { runs += runDirs(of: r).count }
        let polled = roots.values.filter(\.polled).count
        let missing = roots.values.filter { !$0.present }.count
        var s = "watching \(runs) run\(runs == 1 ? "" : "s")"
        if polled > 0 { s += " (\(polled) root\(polled == 1 ? "" : "s") polled)" }
        if missing > 0 { s += ", \(missing) root\(missing == 1 ? "" : "s") missing" }
        let queued = await scheduler.queuedCount + scheduler.runningCount
        metrics.state(queued: queued, roots: roots.count, polled: polled)
        s += ", \(queued) queued"
        if let last = lastRecorded { s += ", last: \(last)" }
        if let p = await pipeline.progressStatus() { s += ", " + p }
        return s
    }
}

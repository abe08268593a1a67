import Checkpoint
import Foundation
import Glibc

/// The analysis queue: `concurrency` jobs at a time (1 by default), newest checkpoint first when
/// a backlog builds, none dropped, and no job key analysed twice in this process (the store's
/// `isRecorded` covers earlier processes).
public actor AnalysisScheduler<Pipeline: CheckpointPipeline> {
    public struct Finished: Sendable { public var job: AnalysisJob; public var outcome: JobOutcome }

    private let pipeline: Pipeline
    private var concurrency: Int
    private var queue: [AnalysisJob] = []
    private var queuedKeys: Set<JobKey> = []
    private var running: [JobKey: Task<Void, Never>] = [:]
    private var done: Set<JobKey> = []
    private var stopping = false
    /// Longest one analysis may run before it is recorded as timed out.
    private var timeLimit: Duration
    private let results: AsyncStream<Finished>.Continuation
    public nonisolated let finished: AsyncStream<Finished>

    public init(pipeline: Pipeline, concurrency: Int = 1, timeLimit: Duration = .seconds(3600)) {
        self.pipeline = pipeline
        self.timeLimit = timeLimit
        self.concurrency = max(1, concurrency)
        (finished, results) = AsyncStream.makeStream(of: Finished.self, bufferingPolicy: .unbounded)
    }

    public var queuedCount: Int { queue.count }
    public var runningCount: Int { running.count }
    public var isIdle: Bool { queue.isEmpty && running.isEmpty }

    public func setTimeLimit(_ limit: Duration) { timeLimit = limit }

    public func setConcurrency(_ n: Int) {
        concurrency = max(1, n)
        startWorkers()
    }

    /// Queues a job unless the same key is queued, running or done.
    @discardableResult
    public func submit(_ job: AnalysisJob) -> Bool {
        let key = job.key
        guard !stopping, !queuedKeys.contains(key), running[key] == nil, !done.contains(key) else { return false }
        queue.append(job)
        queuedKeys.insert(key)
        startWorkers()
        return true
    }

    /// Forgets that a key was handled, so the same files can be queued again (after `.changed`).
    public func forget(_ key: JobKey) { done.remove(key) }

    private func startWorkers() {
        while !stopping, running.count < concurrency, let job = popNewest() {
            let key = job.key
            running[key] = Task { [pipeline, timeLimit] in
                let outcome = await Self.process(job, pipeline, timeLimit: timeLimit)
                self.complete(job, outcome)
            }
        }
    }

    /// Newest first: the latest mtime among the checkpoint's files, then the highest step.
    private func popNewest() -> AnalysisJob? {
        guard !queue.isEmpty else { return nil }
        var best = 0
        for i in queue.indices.dropFirst() where Self.newer(queue[i], than: queue[best]) { best = i }
        let job = queue.remove(at: best)
        queuedKeys.remove(job.key)
        return job
    }

    static func newer(_ a: AnalysisJob, than b: AnalysisJob) -> Bool {
        let (ma, mb) = (a.fingerprint.newestMtimeNs, b.fingerprint.newestMtimeNs)
        if ma != mb { return ma > mb }
        return (a.candidate.nameStep ?? -1) > (b.candidate.nameStep ?? -1)
    }

    private func complete(_ job: AnalysisJob, _ outcome: JobOutcome) {
        running[job.key] = nil
        switch outcome {
        case .recorded, .failed, .alreadyRecorded, .updated, .skipped, .gone: done.insert(job.key)
        case .changed, .storeError, .abandoned, .retry: break  // may come again
        }
        results.yield(Finished(job: job, outcome: outcome))
        startWorkers()
    }

    /// Stops taking jobs; waits up to `timeout` for running analyses, then cancels them (a
    /// cancelled analysis writes nothing: rows are written only after it returns).
    public func shutdown(timeout: Duration) async {
        stopping = true
        queue.removeAll(); queuedKeys.removeAll()
        let deadline = ContinuousClock.now + timeout
        while !running.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        for t in running.values { t.cancel() }
        // Cancellation is seen between layers (Analyzer.compute); a layer inside LAPACK cannot be
        // interrupted. Give cancelled analyses one second to reach that check, then return anyway:
        // they write nothing, and the process exits around them, so stop takes at most
        // stop_timeout_seconds + 1 s (issue 10, point 5; systemd would otherwise SIGKILL).
        let grace = ContinuousClock.now + .seconds(1)
        while !running.isEmpty, ContinuousClock.now < grace {
            try? await Task.sleep(for: .milliseconds(20))
        }
        results.finish()
    }

    /// One job, start to end. Everything that makes the daemon safe around the pipeline is here:
    /// rotation, the store check, unchanged-after-read, and error rows. `wwmon ingest` runs
    /// its one checkpoint through this same function.
    public static func process(_ job: AnalysisJob, _ pipeline: Pipeline,
                               timeLimit: Duration = .seconds(3600)) async -> JobOutcome {
        guard access(job.path, F_OK) == 0 else { return await vanished(job, pipeline) }
        do {
            if try await pipeline.isRecorded(job) {
                if let step = try await pipeline.refresh(job) { return .updated(step: step) }
                return .alreadyRecorded
            }
        } catch {
            return .storeError("\(error)")
        }
        if let failure = job.failure {
            do { try await pipeline.recordError(failure, for: job); return .failed(failure) } catch {
                return .storeError("\(error)")
            }
        }
        guard job.candidate.stamps() == job.fingerprint else {
            return access(job.path, F_OK) == 0 ? .changed : await vanished(job, pipeline)
        }
        let report: Pipeline.Report
        do {
            guard let r = try await analyze(job, pipeline, within: timeLimit) else {
                if Task.isCancelled { return .abandoned }
                let message = "timed out after \(Self.format(timeLimit)) (analysis.time_limit_seconds)"
                do { try await pipeline.recordError(message, for: job); return .failed(message) } catch {
                    return .storeError("\(error)")
                }
            }
            report = r
        } catch is CancellationError {
            return .abandoned
        } catch {
            if Task.isCancelled { return .abandoned }
            guard access(job.path, F_OK) == 0 else { return await vanished(job, pipeline) }
            guard job.candidate.stamps() == job.fingerprint else { return .changed }
            // The readers' word that the file holds no model weights: not a checkpoint; skipped
            // (a debug line), never an error row or an alert.
            if case CheckpointError.noWeights? = error as? CheckpointError { return .skipped("\(error)") }
            // Permission and I/O errors can heal: retried, never recorded for good (issue 10, point 6).
            if let e = error as? CheckpointError, e.isTransient { return .retry("\(e)") }
            let message = "\(error)"
            do { try await pipeline.recordError(message, for: job); return .failed(message) } catch {
                return .storeError("\(error)")
            }
        }
        if Task.isCancelled { return .abandoned }
        // Unchanged after reading, or the result describes bytes that no longer exist.
        guard let after = job.candidate.stamps() else { return await vanished(job, pipeline) }
        guard after == job.fingerprint else { return .changed }
        do {
            return .recorded(try await pipeline.record(report, for: job))
        } catch {
            return .storeError("\(error)")
        }
    }

    /// Deleted before it could be read: a `vanished` row, so every save is accounted for.
    static func vanished(_ job: AnalysisJob, _ pipeline: Pipeline) async -> JobOutcome {
        do { try await pipeline.recordVanished(job) } catch { return .storeError("\(error)") }
        return .gone
    }

    /// The analysis, or nil when `limit` passed first (the analysis is then cancelled and ends
    /// at its next layer).
    static func analyze(_ job: AnalysisJob, _ pipeline: Pipeline, within limit: Duration) async throws -> Pipeline.Report? {
        try await withThrowingTaskGroup(of: Pipeline.Report?.self) { group in
            group.addTask { try await pipeline.analyze(job) }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { return nil }
            return first
        }
    }

    static func format(_ d: Duration) -> String {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }
}

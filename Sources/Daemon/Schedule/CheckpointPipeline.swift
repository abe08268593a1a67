/// One checkpoint handed to analysis: what the watcher saw when it judged it ready.
public struct AnalysisJob: Sendable, Hashable {
    public var candidate: CheckpointCandidate
    /// The fingerprint that settled; the job is void if the files differ from it.
    public var fingerprint: Fingerprint
    /// Set when readiness gave up on an incomplete checkpoint: record this error, analyse nothing.
    public var failure: String?

    public init(candidate: CheckpointCandidate, fingerprint: Fingerprint, failure: String? = nil) {
        self.candidate = candidate; self.fingerprint = fingerprint; self.failure = failure
    }

    public var path: String { candidate.path }
    public var run: String { candidate.run }

    /// Identity within this process: path + every file's size, mtime and inode.
    public var key: JobKey { JobKey(path: candidate.path, fingerprint: fingerprint) }
}

public struct JobKey: Sendable, Hashable {
    public var path: String
    public var fingerprint: Fingerprint
}

/// What was recorded, for logs and STATUS= lines.
public struct RecordSummary: Sendable, Equatable {
    public var step: Int?
    public var layerCount: Int
    public init(step: Int?, layerCount: Int) { self.step = step; self.layerCount = layerCount }
}

/// The narrow seam between the daemon and the analyze + record path that `wwmon ingest` also
/// uses. The daemon's own logic (watching, readiness, scheduling, the unchanged-after-read
/// check, rotation) lives on this side; the conformer only analyses and writes.
public protocol CheckpointPipeline: Sendable {
    associatedtype Report: Sendable
    /// True when the store already holds this checkpoint (as analysed or as an error).
    func isRecorded(_ job: AnalysisJob) async throws -> Bool
    /// Reads and analyses the checkpoint; must honour task cancellation (graceful stop).
    func analyze(_ job: AnalysisJob) async throws -> Report
    /// Writes one checkpoint's rows in one transaction.
    func record(_ report: Report, for job: AnalysisJob) async throws -> RecordSummary
    /// Writes an error row for a checkpoint that could not be analysed.
    func recordError(_ message: String, for job: AnalysisJob) async throws
    /// A new configuration was accepted on SIGHUP (analysis options, alert rules, hooks).
    func reconfigure(_ config: DaemonConfig) async
    /// Called from the main loop every `maintenanceInterval` (alert reminders).
    func maintenance() async
    var maintenanceInterval: Duration? { get }
}

extension CheckpointPipeline {
    public func reconfigure(_ config: DaemonConfig) async {}
    public func maintenance() async {}
    public var maintenanceInterval: Duration? { nil }
}

/// How one job ended.
public enum JobOutcome: Sendable, Equatable {
    case recorded(RecordSummary)
    case failed(String)
    /// Already in the store (an earlier run of the daemon, or `wwmon ingest`).
    case alreadyRecorded
    /// Deleted (rotation) before or during analysis: not an error.
    case gone
    /// The files changed while being read: the result was dropped; readiness starts over.
    case changed
    /// The store could not be read or written; the job will be tried again.
    case storeError(String)
    /// Stopped by shutdown before it finished; nothing was written.
    case abandoned
    /// A read error that may heal (permission, I/O): nothing was written; tried again with
    /// backoff, or at once when the files' mode, size or mtime change.
    case retry(String)
}

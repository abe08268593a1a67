import Analysis
import Store

/// One checkpoint handed to analysis: what the watcher (or `wwmon ingest`) saw when it judged
/// it ready.
public struct AnalysisJob: Sendable, Hashable {
    public var candidate: CheckpointCandidate
    /// The stamps that settled; the job is void if the files differ from them.
    public var fingerprint: FileStamps
    /// Set when readiness gave up on an incomplete checkpoint: record this error, analyse nothing.
    public var failure: String?
    /// What the readiness check opened (so the analysis does not open it again).
    public var opened: OpenedCheckpoint?
    /// `wwmon ingest --step/--epoch`: the user's numbers win over the readers'.
    public var userStep: Int?
    public var userEpoch: Double?
    /// `wwmon ingest --report`: a report computed earlier (elsewhere) instead of an analysis.
    public var precomputed: PrecomputedReport?

    public init(candidate: CheckpointCandidate, fingerprint: FileStamps, failure: String? = nil,
                opened: OpenedCheckpoint? = nil) {
        self.candidate = candidate; self.fingerprint = fingerprint; self.failure = failure
        self.opened = opened
    }

    /// The store's identity of this job's checkpoint (its weight files as they settled).
    public var identity: CheckpointIdentity { candidate.identity(fingerprint) }

    public var path: String { candidate.path }
    /// The run's root folder for the store; nil (keep what it has) for `ingest` without --root.
    public var rootForStore: String? { candidate.root.isEmpty ? nil : candidate.root }
    public var run: String { candidate.run }

    /// Identity within this process: path + every file's size, mtime and inode.
    public var key: JobKey { JobKey(path: candidate.path, fingerprint: fingerprint) }
}

public struct JobKey: Sendable, Hashable {
    public var path: String
    public var fingerprint: FileStamps
}

/// What was recorded, for logs and STATUS= lines.
public struct RecordSummary: Sendable, Equatable {
    public var step: Int?
    public var layerCount: Int
    /// The checkpoint's tensors equal a recorded point of the run: recorded as its alias.
    public var aliasOf: Int?
    /// The row written (or aliased).
    public var checkpointID: Int64?
    /// Layers whose rows were taken from earlier analyses of the same bytes.
    public var layersReused: Int?
    public init(step: Int?, layerCount: Int, aliasOf: Int? = nil, checkpointID: Int64? = nil, layersReused: Int? = nil) {
        self.step = step; self.layerCount = layerCount; self.aliasOf = aliasOf
        self.checkpointID = checkpointID; self.layersReused = layersReused
    }
}

/// The narrow seam between the daemon and the analyze + record path that `wwmon ingest` also
/// uses. The daemon's own logic (watching, readiness, scheduling, the unchanged-after-read
/// check, rotation) lives on this side; the conformer only analyses and writes.
public protocol CheckpointPipeline: Sendable {
    associatedtype Report: Sendable
    /// True when the store already holds this checkpoint (as analysed or as an error).
    func isRecorded(_ job: AnalysisJob) async throws -> Bool
    /// The checkpoint is recorded but files beside its weights changed (a late
    /// `trainer_state.json`): bring the recorded point's step, epoch and training metrics up
    /// to date. Returns the new step when anything changed.
    func refresh(_ job: AnalysisJob) async throws -> Int?
    /// The checkpoint was seen but deleted before it could be analysed.
    func recordVanished(_ job: AnalysisJob) async throws
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
    /// The analyses in progress and how far along, for the STATUS= line (nil: none).
    func progressStatus() async -> String?
}

extension CheckpointPipeline {
    public func refresh(_ job: AnalysisJob) async throws -> Int? { nil }
    public func recordVanished(_ job: AnalysisJob) async throws {}
    public func reconfigure(_ config: DaemonConfig) async {}
    public func maintenance() async {}
    public var maintenanceInterval: Duration? { nil }
    public func progressStatus() async -> String? { nil }
}

/// How one job ended.
public enum JobOutcome: Sendable, Equatable {
    case recorded(RecordSummary)
    case failed(String)
    /// Already in the store (an earlier run of the daemon, or `wwmon ingest`).
    case alreadyRecorded
    /// Already in the store; files beside the weights completed it (new step, epoch or metrics).
    case updated(step: Int)
    /// Not a model: the readers found no weight tensors (an optimizer-only torch file).
    case skipped(String)
    /// Deleted (rotation) before or during analysis: not an error, recorded as `vanished`.
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

/// A `wwmon analyze --format json` report handed to `ingest --report`; like `OpenedCheckpoint`,
/// carried with the job but not part of its identity.
public struct PrecomputedReport: Sendable, Hashable {
    public var report: CheckpointReport
    public init(_ report: CheckpointReport) { self.report = report }
    public static func == (a: Self, b: Self) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}

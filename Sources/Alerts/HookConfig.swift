/// One `[[hook]]`: an argv array run once per batch of events. Event data never goes into
/// argv; it arrives as `WWMON_*` environment variables and a JSON document on stdin.
public struct HookConfig: Sendable, Equatable {
    public var name: String
    /// argv; `command[0]` is a path or a name looked up in the hook's `PATH`.
    public var command: [String]
    /// After this the hook's whole process group is killed.
    public var timeoutSeconds: Double
    /// Rule names (`AlertRule` raw values) this hook receives; `resolved` admits every
    /// resolution. nil: everything.
    public var events: Set<String>?
    /// Whether resolutions are sent at all.
    public var sendResolved: Bool

    public init(name: String, command: [String], timeoutSeconds: Double = 30,
                events: Set<String>? = nil, sendResolved: Bool = true) {
        self.name = name; self.command = command; self.timeoutSeconds = timeoutSeconds
        self.events = events; self.sendResolved = sendResolved
    }

    /// Whether this hook wants an event (synthetic test events always go through).
    public func accepts(_ e: AlertEvent) -> Bool {
        if e.kind == .test { return true }
        if e.kind == .resolved && !sendResolved { return false }
        guard let events else { return true }
        return events.contains(e.alert.fingerprint.rule.rawValue)
            || (e.kind == .resolved && events.contains("resolved"))
    }
}

/// How hooks run, shared by all of them.
public struct HookRunnerOptions: Sendable, Equatable {
    /// At most this many hook processes at once, across all hooks.
    public var poolSize: Int = 4
    /// At most this many events go into one invocation; the rest stay queued, in order,
    /// for the hook's next invocation (so nothing is dropped and stdin stays bounded).
    public var maxBatch: Int = 100
    /// Between SIGTERM to the group at the timeout and SIGKILL.
    public var killGraceSeconds: Double = 2
    /// The hook's `PATH`; nothing else of the daemon's environment is passed on.
    public var path: String = "/usr/local/bin:/usr/bin:/bin"
    /// The hook's `HOME` and working directory.
    public var home: String = "/"
    /// Bytes of stderr (and stdout) kept for the record.
    public var tailBytes: Int = 4096
    /// Bytes of each of stdout and stderr read from a hook; the rest is read and discarded
    /// (counted), so a hook printing without end costs neither memory nor disk.
    public var captureBytes: Int = 64 << 10

    public init(poolSize: Int = 4, maxBatch: Int = 100, killGraceSeconds: Double = 2,
                path: String = "/usr/local/bin:/usr/bin:/bin", home: String = "/",
                tailBytes: Int = 4096) {
        self.poolSize = max(1, poolSize); self.maxBatch = max(1, maxBatch)
        self.killGraceSeconds = killGraceSeconds; self.path = path; self.home = home
        self.tailBytes = tailBytes
    }
}

/// What happened when a hook ran (the store's `hook_runs` row).
public struct HookRunRecord: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// Killed at its timeout (with its process group).
        case timedOut
        /// Never started: the executable was missing, not executable, ...
        case spawnFailed(String)
    }
    public var hook: String
    /// The events this invocation carried, in queue order.
    public var alerts: [AlertFingerprint]
    public var eventKinds: [AlertEvent.Kind]
    public var startedAt: Date
    public var durationSeconds: Double
    public var outcome: Outcome
    public var stderrTail: String
    public var stdoutTail: String
    /// Outbox ids of the events carried (marked sent once this record is stored).
    public var eventIDs: [Int64] = []
    /// Bytes the hook wrote past the capture cap, dropped unread into memory or disk.
    public var stdoutDiscarded = 0
    public var stderrDiscarded = 0

    /// One integer for the `exit_status` column: the exit code, 128 + signal (as shells
    /// report it), 124 for a timeout (as timeout(1)), 127 for a spawn failure (as shells).
    public var exitStatus: Int {
        switch outcome {
        case .exited(let c): Int(c)
        case .signaled(let s): 128 + Int(s)
        case .timedOut: 124
        case .spawnFailed: 127
        }
    }

    public var succeeded: Bool { outcome == .exited(0) }
}

import Foundation

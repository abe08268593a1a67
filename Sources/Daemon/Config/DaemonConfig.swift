/// The daemon's configuration (`wwmon.toml`), decoded with TOMLKit into these value types.
/// `config/wwmon.toml` in the repository is the documented example of every key.
public struct DaemonConfig: Sendable, Equatable {
    public var store: StoreSettings
    public var analysis: AnalysisSettings
    public var daemon: ServiceSettings
    public var watches: [WatchSettings]
    public var alerts: AlertSettings
    public var hooks: [HookSettings]

    public init(store: StoreSettings = .init(), analysis: AnalysisSettings = .init(),
                daemon: ServiceSettings = .init(), watches: [WatchSettings],
                alerts: AlertSettings = .init(), hooks: [HookSettings] = []) {
        self.store = store; self.analysis = analysis; self.daemon = daemon
        self.watches = watches; self.alerts = alerts; self.hooks = hooks
    }
}

/// `[store]`
public struct StoreSettings: Sendable, Equatable {
    /// SQLite file; nil means the store's built-in default (or `wwmon daemon --store`).
    public var path: String?
    public init(path: String? = nil) { self.path = path }
}

/// `[analysis]`
public struct AnalysisSettings: Sendable, Equatable {
    /// Layers analysed in parallel inside one checkpoint (nil: one per core).
    public var pool: Int?
    /// BLAS threads per layer.
    public var threads: Int
    /// Checkpoints analysed at once.
    public var concurrency: Int
    public init(pool: Int? = nil, threads: Int = 1, concurrency: Int = 1) {
        self.pool = pool; self.threads = threads; self.concurrency = concurrency
    }
}

/// `[daemon]`
public struct ServiceSettings: Sendable, Equatable {
    /// Full rescan of every root even when inotify is quiet (events are hints, listings the truth).
    public var rescanIntervalSeconds: Double
    /// How long SIGTERM waits for a running analysis before abandoning it (nothing partial is written).
    public var stopTimeoutSeconds: Double
    public init(rescanIntervalSeconds: Double = 600, stopTimeoutSeconds: Double = 5) {
        self.rescanIntervalSeconds = rescanIntervalSeconds; self.stopTimeoutSeconds = stopTimeoutSeconds
    }
}

/// How a root learns about changes.
public enum WatchMode: String, Sendable, Equatable, CaseIterable {
    /// inotify on local filesystems, polling on network/FUSE filesystems.
    case auto
    case inotify
    /// mtime/size listings every `poll_interval_seconds`.
    case poll
}

/// One `[[watch]]` entry.
public struct WatchSettings: Sendable, Equatable {
    public static let defaultPatterns = ["*.safetensors", "*.pt", "*.pth", "*.bin", "*.ckpt", "*.npy", "*.npz"]

    public var path: String
    /// Run name when the root is one run (default: the folder's name). Not allowed with subfolder runs.
    public var run: String?
    /// True when each subfolder of `path` is a run (an `experiments/` folder).
    public var runsInSubdirectories: Bool
    public var settleSeconds: Double
    public var mode: WatchMode
    /// File-name globs of weight files.
    public var patterns: [String]
    public var pollIntervalSeconds: Double
    /// A checkpoint whose format stays incomplete but unchanged this long is recorded as an error.
    public var incompleteErrorSeconds: Double
    /// Directory levels watched below a run folder.
    public var maxDepth: Int

    public init(path: String, run: String? = nil, runsInSubdirectories: Bool = false,
                settleSeconds: Double = 5, mode: WatchMode = .auto,
                patterns: [String] = WatchSettings.defaultPatterns, pollIntervalSeconds: Double = 30,
                incompleteErrorSeconds: Double = 300, maxDepth: Int = 3) {
        self.path = path; self.run = run; self.runsInSubdirectories = runsInSubdirectories
        self.settleSeconds = settleSeconds; self.mode = mode; self.patterns = patterns
        self.pollIntervalSeconds = pollIntervalSeconds; self.incompleteErrorSeconds = incompleteErrorSeconds
        self.maxDepth = maxDepth
    }

    /// The run name of a single-run root.
    public var runName: String { run ?? lastPathComponent(path) }
}

/// Thresholds of the alert rules; `[alerts]` and each `[alerts.runs.NAME]` override.
public struct AlertRules: Sendable, Equatable {
    /// WeightWatcher's "over-trained" bound.
    public var alphaMin: Double
    /// WeightWatcher's "under-trained" bound.
    public var alphaMax: Double
    /// Absolute alpha change against the recent mean that fires a drift alert (nil: off).
    public var driftAbs: Double?
    /// Drift in standard deviations of the recent window (nil: off).
    public var driftSigma: Double?
    /// Checkpoints in the drift window.
    public var driftWindow: Int

    public init(alphaMin: Double = 2.0, alphaMax: Double = 6.0, driftAbs: Double? = nil,
                driftSigma: Double? = 3.0, driftWindow: Int = 5) {
        self.alphaMin = alphaMin; self.alphaMax = alphaMax; self.driftAbs = driftAbs
        self.driftSigma = driftSigma; self.driftWindow = driftWindow
    }
}

/// A per-run `[alerts.runs.NAME]` table: only the keys given replace the global ones.
public struct AlertRulesOverride: Sendable, Equatable {
    public var alphaMin: Double?
    public var alphaMax: Double?
    public var driftAbs: Double?
    public var driftSigma: Double?
    public var driftWindow: Int?
    public init(alphaMin: Double? = nil, alphaMax: Double? = nil, driftAbs: Double? = nil,
                driftSigma: Double? = nil, driftWindow: Int? = nil) {
        self.alphaMin = alphaMin; self.alphaMax = alphaMax; self.driftAbs = driftAbs
        self.driftSigma = driftSigma; self.driftWindow = driftWindow
    }
}

/// `[alerts]`
public struct AlertSettings: Sendable, Equatable {
    public var rules: AlertRules
    /// While an alert keeps firing, hooks are called again after this many seconds.
    public var repeatIntervalSeconds: Double
    /// Overrides by run name.
    public var runs: [String: AlertRulesOverride]

    public init(rules: AlertRules = .init(), repeatIntervalSeconds: Double = 4 * 3600,
                runs: [String: AlertRulesOverride] = [:]) {
        self.rules = rules; self.repeatIntervalSeconds = repeatIntervalSeconds; self.runs = runs
    }

    /// The rules in force for one run: the global ones with that run's overrides applied.
    public func rules(forRun run: String) -> AlertRules {
        guard let o = runs[run] else { return rules }
        var r = rules
        if let v = o.alphaMin { r.alphaMin = v }
        if let v = o.alphaMax { r.alphaMax = v }
        if let v = o.driftAbs { r.driftAbs = v }
        if let v = o.driftSigma { r.driftSigma = v }
        if let v = o.driftWindow { r.driftWindow = v }
        return r
    }
}

/// One `[[hook]]`: a program run with exactly this argv (never through a shell).
public struct HookSettings: Sendable, Equatable {
    public static let knownEvents = ["alpha_out_of_range", "alpha_drift", "analysis_failed",
                                     "watch_degraded", "resolved", "test"]
    public var name: String
    public var command: [String]
    public var timeoutSeconds: Double
    /// Events this hook receives (nil: all).
    public var events: [String]?
    public var sendResolved: Bool

    public init(name: String, command: [String], timeoutSeconds: Double = 30, events: [String]? = nil,
                sendResolved: Bool = true) {
        self.name = name; self.command = command; self.timeoutSeconds = timeoutSeconds
        self.events = events; self.sendResolved = sendResolved
    }
}

func lastPathComponent(_ path: String) -> String {
    let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    return trimmed.split(separator: "/").last.map(String.init) ?? trimmed
}

import Alerts
import Store

/// The daemon's configuration (`wwmon.toml`), decoded with TOMLKit into these value types.
/// `config/wwmon.toml` in the repository is the documented example of every key.
public struct DaemonConfig: Sendable, Equatable {
    public var store: StoreSettings
    public var analysis: AnalysisSettings
    public var daemon: ServiceSettings
    public var watches: [WatchSettings]
    /// `[alerts]` and `[alerts.runs.NAME]`, as the alert engine takes them.
    public var alerts: RuleSettings
    /// `[[hook]]` tables, as the hook runner takes them.
    public var hooks: [HookConfig]
    /// `[http]`: the dashboard, API and `/metrics` served from inside the daemon.
    public var http: HTTPSettings

    public init(store: StoreSettings = .init(), analysis: AnalysisSettings = .init(),
                daemon: ServiceSettings = .init(), watches: [WatchSettings],
                alerts: RuleSettings = .init(), hooks: [HookConfig] = [], http: HTTPSettings = .init()) {
        self.store = store; self.analysis = analysis; self.daemon = daemon
        self.watches = watches; self.alerts = alerts; self.hooks = hooks; self.http = http
    }
}

/// `[store]`
public struct StoreSettings: Sendable, Equatable {
    /// SQLite file; nil means the store's built-in default (or `wwmon daemon --store`).
    public var path: String?
    /// Keep layers' eigenvalues for the dashboard's ESD plots, thinned by this rule; nil (`esd = false`) keeps none.
    public var spectra: SpectrumRetention?
    /// `[store.retention]`: which checkpoints' history is kept; empty: all of it.
    public var retention: RetentionPolicy
    public init(path: String? = nil, spectra: SpectrumRetention? = SpectrumRetention(),
                retention: RetentionPolicy = .init()) {
        self.path = path; self.spectra = spectra; self.retention = retention
    }
}

/// `[http]`
public struct HTTPSettings: Sendable, Equatable {
    /// `HOST:PORT` to serve the dashboard, `/api/v1` and `/metrics` on; nil serves nothing.
    public var listen: String?
    /// Per-layer alpha series in `/metrics` (one series per layer and run: cardinality).
    public var layerMetrics: Bool
    public init(listen: String? = nil, layerMetrics: Bool = true) {
        self.listen = listen; self.layerMetrics = layerMetrics
    }
}

/// `[analysis]`
public struct AnalysisSettings: Sendable, Equatable {
    /// WeightWatcher's `pool`: one pooled spectrum per conv layer (true) or one per kernel position.
    public var pool: Bool
    /// Layers of one checkpoint computed at once (nil: one per core).
    public var threads: Int?
    /// Checkpoints analysed at once.
    public var concurrency: Int
    /// WeightWatcher options for every watch (fix_fingers, conv, layer selection, …).
    public var ww: WWSettings
    /// Working memory one layer may ask for, MiB (nil: 3/4 of the machine's, cgroup's or
    /// `ulimit -v`'s limit, whichever is least). Larger layers fail alone with a clear error.
    public var memoryLimitMB: Int?
    /// A checkpoint still analysing after this long is recorded as `error: timed out after …`.
    public var timeLimitSeconds: Double
    public init(pool: Bool = true, threads: Int? = nil, concurrency: Int = 1, memoryLimitMB: Int? = nil,
                timeLimitSeconds: Double = 3600, ww: WWSettings = .init()) {
        self.pool = pool; self.threads = threads; self.concurrency = concurrency
        self.memoryLimitMB = memoryLimitMB; self.timeLimitSeconds = timeLimitSeconds
        self.ww = ww
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
    /// This watch's WeightWatcher options, over `[analysis]`'s.
    public var ww: WWSettings
    /// Whether a file symlink in a run may point outside the watched root (directory symlinks
    /// are never followed).
    public var symlinksOutsideRoot: Bool
    /// `tags = {…}`: set on every run of this root (a `wwmon tag` of the same key wins).
    public var tags: [String: String] = [:]

    public init(path: String, run: String? = nil, runsInSubdirectories: Bool = false,
                settleSeconds: Double = 5, mode: WatchMode = .auto,
                patterns: [String] = WatchSettings.defaultPatterns, pollIntervalSeconds: Double = 30,
                incompleteErrorSeconds: Double = 300, maxDepth: Int = 3, symlinksOutsideRoot: Bool = false,
                ww: WWSettings = .init()) {
        self.ww = ww
        self.path = path; self.run = run; self.runsInSubdirectories = runsInSubdirectories
        self.settleSeconds = settleSeconds; self.mode = mode; self.patterns = patterns
        self.pollIntervalSeconds = pollIntervalSeconds; self.incompleteErrorSeconds = incompleteErrorSeconds
        self.maxDepth = maxDepth; self.symlinksOutsideRoot = symlinksOutsideRoot
    }

    /// The run name of a single-run root.
    public var runName: String { run ?? lastPathComponent(path) }
}

func lastPathComponent(_ path: String) -> String {
    let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    return trimmed.split(separator: "/").last.map(String.init) ?? trimmed
}

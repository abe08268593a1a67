import Alerts
import Store
import Foundation
import TOMLKit

extension DaemonConfig: Decodable {
    enum CodingKeys: String, CodingKey { case store, analysis, daemon, watch, alerts, hook, http }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        store = try c.contains(.store) ? c.table(StoreSettings.self, .store) : .init()
        analysis = try c.contains(.analysis) ? c.table(AnalysisSettings.self, .analysis) : .init()
        daemon = try c.contains(.daemon) ? c.table(ServiceSettings.self, .daemon) : .init()
        watches = try c.contains(.watch) ? c.tables(WatchSettings.self, .watch) : []
        alerts = try c.contains(.alerts) ? c.table(AlertsTable.self, .alerts).settings : .init()
        hooks = try c.contains(.hook) ? c.tables(HookTable.self, .hook).map(\.hook) : []
        http = try c.contains(.http) ? c.table(HTTPSettings.self, .http) : .init()
        try validate()
    }

    /// Checks that span several entries.
    func validate() throws {
        guard !watches.isEmpty else {
            throw ConfigError(key: "watch", problem: "at least one [[watch]] table is required")
        }
        try validateWatchPaths()
        var seenRuns: [String: Int] = [:]
        for (i, w) in watches.enumerated() where !w.runsInSubdirectories {
            if let j = seenRuns[w.runName] {
                throw ConfigError(key: "watch[\(i)].run",
                                  problem: "run name \"\(w.runName)\" is already used by watch[\(j)]; set `run` to tell them apart")
            }
            seenRuns[w.runName] = i
        }
        var names = Set<String>()
        for (i, h) in hooks.enumerated() {
            guard names.insert(h.name).inserted else {
                throw ConfigError(key: "hook[\(i)].name", problem: "duplicate hook name \"\(h.name)\"")
            }
        }
    }
}

extension KeyedDecodingContainer {
    /// A sub-table; a scalar in its place is reported by key.
    func table<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        do { return try decode(T.self, forKey: key) } catch let e as ConfigError {
            throw e
        } catch DecodingError.typeMismatch(_, _) {
            throw ConfigError(key: path(key), problem: "must be a table")
        } catch DecodingError.keyNotFound(_, _) {
            throw ConfigError(key: path(key), problem: "must be a table")
        }
    }

    /// An array of tables (`[[watch]]`).
    func tables<T: Decodable>(_ type: T.Type, _ key: Key) throws -> [T] {
        do { return try decode([T].self, forKey: key) } catch let e as ConfigError {
            throw e
        } catch DecodingError.typeMismatch(_, _) {
            throw ConfigError(key: path(key), problem: "must be an array of tables ([[\(key.stringValue)]])")
        } catch DecodingError.keyNotFound(_, _) {
            throw ConfigError(key: path(key), problem: "must be an array of tables ([[\(key.stringValue)]])")
        }
    }
}

extension StoreSettings: Decodable {
    enum CodingKeys: String, CodingKey { case path, retention, esd, esdKeepLast = "esd_keep_last", esdEvery = "esd_every" }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.string(.path)
        retention = try c.contains(.retention) ? c.table(RetentionPolicy.self, .retention) : .init()
        if let p = path, p.isEmpty { throw ConfigError(key: c.path(.path), problem: "must not be empty") }
        let d = SpectrumRetention()
        let keepLast = try c.int(.esdKeepLast, atLeast: 1) ?? d.keepLast
        let every = try c.int(.esdEvery, atLeast: 1) ?? d.every
        spectra = try c.bool(.esd) ?? true ? SpectrumRetention(keepLast: keepLast, every: every) : nil
    }
}

extension HTTPSettings: Decodable {
    enum CodingKeys: String, CodingKey { case listen, layerMetrics = "layer_metrics" }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listen = try c.string(.listen)
        if let l = listen {
            // HOST:PORT with a port; the server resolves HOST (an IPv6 literal goes in brackets).
            guard let colon = l.lastIndex(of: ":"), let port = Int(l[l.index(after: colon)...]),
                  (0...65535).contains(port), colon != l.startIndex else {
                throw ConfigError(key: c.path(.listen), problem: "must be HOST:PORT, e.g. \"127.0.0.1:9108\" (found \"\(l)\")")
            }
        }
        layerMetrics = try c.bool(.layerMetrics) ?? true
    }
}

extension AnalysisSettings: Decodable {
    enum CodingKeys: String, CodingKey, WWSettingKeys {
        case pool, threads, concurrency, memoryLimit = "memory_limit_mb", timeLimit = "time_limit_seconds"
        case fixFingers = "fix_fingers", maxFingers = "max_fingers", fingerThresh = "finger_thresh"
        case conv, inputSize = "input_size", minEvals = "min_evals", maxEvals = "max_evals"
        case layers, excludeLayers = "exclude_layers", layerIDs = "layer_ids", mpFit = "mp_fit"
        case randomize, seed
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        memoryLimitMB = try c.int(.memoryLimit, in: 1...(1 << 30))
        timeLimitSeconds = try c.seconds(.timeLimit, above: 0) ?? AnalysisSettings().timeLimitSeconds
        pool = try c.bool(.pool) ?? true
        threads = try c.int(.threads, in: 1...ConfigLimits.maxWorkers)
        concurrency = try c.int(.concurrency, in: 1...ConfigLimits.maxWorkers) ?? 1
        ww = try WWSettings(c)
        if !pool, let m = ww.conv, m != .slices {
            throw ConfigError(key: c.path(.conv), problem: "conflicts with pool = false (which is conv = \"slices\")")
        }
    }
}

extension ServiceSettings: Decodable {
    enum CodingKeys: String, CodingKey {
        case rescanInterval = "rescan_interval_seconds", stopTimeout = "stop_timeout_seconds"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ServiceSettings()
        rescanIntervalSeconds = try c.seconds(.rescanInterval, above: 0) ?? d.rescanIntervalSeconds
        stopTimeoutSeconds = try c.seconds(.stopTimeout, above: 0) ?? d.stopTimeoutSeconds
    }
}

extension WatchSettings: Decodable {
    enum CodingKeys: String, CodingKey, WWSettingKeys {
        case path, run, runsInSubdirectories = "runs_in_subdirectories", settle = "settle_seconds", mode
        case patterns, poll = "poll_interval_seconds", incomplete = "incomplete_error_seconds"
        case maxDepth = "max_depth", symlinksOutsideRoot = "symlinks_outside_root"
        case fixFingers = "fix_fingers", maxFingers = "max_fingers", fingerThresh = "finger_thresh"
        case conv, inputSize = "input_size", minEvals = "min_evals", maxEvals = "max_evals"
        case layers, excludeLayers = "exclude_layers", layerIDs = "layer_ids", mpFit = "mp_fit"
        case randomize, seed
        case tags
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let p = try c.string(.path) else {
            throw ConfigError(key: c.path(.path), problem: "is required (the directory to watch)")
        }
        guard p.hasPrefix("/") else {
            throw ConfigError(key: c.path(.path), problem: "must be an absolute path (found \"\(p)\")")
        }
        let d = WatchSettings(path: p)
        path = p.count > 1 && p.hasSuffix("/") ? String(p.dropLast()) : p
        run = try c.string(.run)
        runsInSubdirectories = try c.bool(.runsInSubdirectories) ?? false
        if let r = run {
            if runsInSubdirectories {
                throw ConfigError(key: c.path(.run),
                                  problem: "cannot be set with runs_in_subdirectories = true (each subfolder's name is its run)")
            }
            if r.isEmpty || r.contains("/") {
                throw ConfigError(key: c.path(.run), problem: "must be a non-empty name without '/' (found \"\(r)\")")
            }
        }
        settleSeconds = try c.seconds(.settle, atLeast: 0) ?? d.settleSeconds
        if let m = try c.string(.mode) {
            guard let mode = WatchMode(rawValue: m) else {
                throw ConfigError(key: c.path(.mode),
                                  problem: "must be one of auto, inotify, poll (found \"\(m)\")")
            }
            self.mode = mode
        } else {
            mode = .auto
        }
        patterns = try c.strings(.patterns) ?? d.patterns
        if patterns.isEmpty || patterns.contains(where: { $0.isEmpty || $0.contains("/") }) {
            throw ConfigError(key: c.path(.patterns), problem: "must be non-empty file-name globs without '/'")
        }
        pollIntervalSeconds = try c.seconds(.poll, above: 0) ?? d.pollIntervalSeconds
        incompleteErrorSeconds = try c.seconds(.incomplete, above: 0) ?? d.incompleteErrorSeconds
        maxDepth = try c.int(.maxDepth, in: 1...ConfigLimits.maxDepth) ?? d.maxDepth
        symlinksOutsideRoot = try c.bool(.symlinksOutsideRoot) ?? false
        ww = try WWSettings(c)
        tags = try c.tags(.tags)
    }
}

/// The threshold keys shared by `[alerts]` and `[alerts.runs.NAME]` (names as the alert engine
/// documents them); nil where the table does not set the key.
struct ThresholdKeys {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case alphaMin = "alpha_min", alphaMax = "alpha_max", driftAbs = "drift_abs"
        case driftSigma = "drift_sigma", driftWindow = "drift_window", meanAlphaMin = "mean_alpha_min"
        case trendWindow = "trend_window", reversalSteps = "reversal_steps", repeatInterval = "repeat_interval"
        case resolveMargin = "resolve_margin", resolveAfter = "resolve_after"
        case runs
    }
    var o = AlertThresholdOverrides()

    init(_ c: KeyedDecodingContainer<CodingKeys>) throws {
        o.alphaMin = try c.number(.alphaMin)
        o.alphaMax = try c.number(.alphaMax)
        o.driftAbs = try c.number(.driftAbs, above: 0)
        o.driftSigma = try c.number(.driftSigma, above: 0)
        o.driftWindow = try c.int(.driftWindow, in: 2...ConfigLimits.maxWindow)
        o.meanAlphaMin = try c.number(.meanAlphaMin)
        o.trendWindow = try c.int(.trendWindow, in: 2...ConfigLimits.maxWindow)
        o.reversalSteps = try c.int(.reversalSteps, in: 1...ConfigLimits.maxWindow)
        o.repeatInterval = try c.seconds(.repeatInterval, above: 0, units: true)
        o.resolveMargin = try c.number(.resolveMargin)
        if let m = o.resolveMargin, m < 0 { throw ConfigError(key: c.path(.resolveMargin), problem: "must be 0 or more") }
        o.resolveAfter = try c.int(.resolveAfter, in: 1...ConfigLimits.maxWindow)
    }
}

/// `[alerts]`: global thresholds plus `[alerts.runs.NAME]` overrides -> `RuleSettings`.
struct AlertsTable: Decodable {
    var settings = RuleSettings()

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ThresholdKeys.CodingKeys.self)
        let t = AlertThresholds().applying(try ThresholdKeys(c).o)
        guard t.alphaMin < t.alphaMax else {
            throw ConfigError(key: c.path(.alphaMin), problem: "must be below alpha_max (\(t.alphaMin) >= \(t.alphaMax))")
        }
        settings.global = t
        guard c.contains(.runs) else { return }
        let rc: KeyedDecodingContainer<AnyKey>
        do { rc = try c.nestedContainer(keyedBy: AnyKey.self, forKey: .runs) } catch {
            throw ConfigError(key: c.path(.runs), problem: "must be a table of run names ([alerts.runs.NAME])")
        }
        for key in rc.allKeys {
            let runTable: KeyedDecodingContainer<ThresholdKeys.CodingKeys>
            do { runTable = try rc.nestedContainer(keyedBy: ThresholdKeys.CodingKeys.self, forKey: key) } catch {
                throw ConfigError(key: rc.path(key), problem: "must be a table of threshold keys")
            }
            if runTable.contains(.runs) {
                throw ConfigError(key: runTable.path(.runs), problem: "unknown key")
            }
            settings.perRun[key.stringValue] = try ThresholdKeys(runTable).o
            let r = settings.thresholds(for: key.stringValue)
            guard r.alphaMin < r.alphaMax else {
                throw ConfigError(key: rc.path(key), problem: "alpha_min must be below alpha_max (\(r.alphaMin) >= \(r.alphaMax))")
            }
        }
    }
}

/// One `[[hook]]` -> `HookConfig`.
struct HookTable: Decodable {
    /// Rule names a hook may subscribe to, plus `resolved`.
    static var knownEvents: [String] { AlertRule.allCases.map(\.rawValue) + ["resolved"] }

    var hook: HookConfig

    enum CodingKeys: String, CodingKey {
        case name, command, timeout = "timeout_seconds", events, sendResolved = "send_resolved"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let name = try c.string(.name), !name.isEmpty else {
            throw ConfigError(key: c.path(.name), problem: "is required (a non-empty name)")
        }
        if c.contains(.command), (try? c.decode(String.self, forKey: .command)) != nil {
            throw ConfigError(key: c.path(.command),
                              problem: "must be an argv array such as [\"/usr/local/bin/notify\", \"--channel\", \"ml\"]; hooks never run through a shell")
        }
        guard let argv = try c.strings(.command), let program = argv.first, !program.isEmpty else {
            throw ConfigError(key: c.path(.command), problem: "is required (a non-empty argv array)")
        }
        let events = try c.strings(.events)
        if let unknown = events?.first(where: { !Self.knownEvents.contains($0) }) {
            throw ConfigError(key: c.path(.events),
                              problem: "unknown event \"\(unknown)\" (known: \(Self.knownEvents.joined(separator: ", ")))")
        }
        hook = HookConfig(name: name, command: argv, timeoutSeconds: try c.seconds(.timeout, above: 0) ?? 30,
                          events: events.map(Set.init), sendResolved: try c.bool(.sendResolved) ?? true)
    }
}

extension DaemonConfig {
    /// Parses and validates a TOML document. Unknown keys are errors (a typo must not silently
    /// turn a setting off).
    public static func parse(_ text: String, file: String? = nil) throws(ConfigError) -> DaemonConfig {
        do {
            return try TOMLDecoder(strictDecoding: true).decode(DaemonConfig.self, from: text)
        } catch let e as ConfigError {
            var e = e; e.file = file; throw e
        } catch let e as TOMLParseError {
            throw ConfigError(file: file, key: "",
                              problem: "not valid TOML at line \(e.source.begin.line), column \(e.source.begin.column): \(e.description)")
        } catch let e as UnexpectedKeysError {
            let names = e.keys.map { name, path in
                tomlKeyPath(path.last?.stringValue == name ? path : path + [AnyKey(stringValue: name)])
            }.sorted()
            throw ConfigError(file: file, key: names.first ?? "", problem: names.count == 1
                              ? "unknown key" : "unknown keys: \(names.joined(separator: ", "))")
        } catch let e as DecodingError {
            throw ConfigError(file: file, key: "", problem: "cannot be decoded: \(e)")
        } catch {
            throw ConfigError(file: file, key: "", problem: "\(error)")
        }
    }

    /// Reads and parses a config file.
    public static func load(path: String) throws(ConfigError) -> DaemonConfig {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigError(file: path, key: "", problem: "cannot be read: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, key: "", problem: "is not UTF-8 text")
        }
        return try parse(text, file: path)
    }
}

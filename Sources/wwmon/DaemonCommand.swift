import Alerts
import Analysis
import ArgumentParser
import Daemon
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Store
import Web

/// `wwmon daemon --config FILE`: watch the configured folders and record every complete
/// checkpoint (what the systemd unit runs, in the foreground, as Type=notify).
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Watch checkpoint folders and record every complete checkpoint (the service).",
        discussion: """
        Runs in the foreground until SIGTERM/SIGINT (graceful: no partial rows); SIGHUP re-reads \
        the configuration (a bad file is rejected and the running one kept). Under systemd it \
        speaks sd_notify (READY, STATUS, WATCHDOG, RELOADING, STOPPING) and logs to the journal \
        with structured fields (metadata key run -> WWMON_RUN). The database is --db, else \
        $WWMON_DB, else [store] path, else $XDG_STATE_HOME/wwmon/wwmon.db, else \
        ~/.local/state/wwmon/wwmon.db.
        """)

    @Option(name: .long, help: ArgumentHelp("Configuration file.", valueName: "path"))
    var config: String = "/etc/wwmon/wwmon.toml"

    @Option(name: .long, help: ArgumentHelp("History database (overrides [store] path).", valueName: "path"))
    var db: String?

    @Flag(name: .long, help: "Check the configuration and exit.")
    var checkConfig = false

    @Flag(name: .shortAndLong, help: "Log debug messages too.")
    var verbose = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let cfg: DaemonConfig
        do { cfg = try DaemonConfig.load(path: config) } catch {
            throw RuntimeError("\(error)")
        }
        if checkConfig {
            emit("\(config): ok (\(cfg.watches.count) watch root\(cfg.watches.count == 1 ? "" : "s"), \(cfg.hooks.count) hook\(cfg.hooks.count == 1 ? "" : "s"))\n")
            return
        }
        // The daemon's one logger (LoggingSystem is bootstrapped in WWMon.main); everything below
        // gets it passed down, so its level reaches the analyser, alerts and hooks too.
        var logger = Logger(label: "wwmon.daemon")
        logger.logLevel = verbose ? .debug : .info

        let dbPath = db ?? environment["WWMON_DB"].flatMap { $0.isEmpty ? nil : $0 }
            ?? cfg.store.path ?? DatabaseLocation.resolve(explicit: nil, environment: environment)
        let store: HistoryStore
        do { store = try HistoryStore(path: dbPath) } catch {
            throw RuntimeError("cannot open the history database \(dbPath): \(error)")
        }
        logger.notice("history database opened", metadata: ["db.path": "\(dbPath)"])
        // The daemon's health series go to /metrics when [http] serves; nowhere otherwise.
        let health = cfg.http.listen == nil ? nil : PrometheusCollectorRegistry()
        var metricsFactory = health.map { PrometheusMetricsFactory(registry: $0) }
        metricsFactory?.durationHistogramBuckets["wwmon_analysis_seconds"] = [
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
            .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300)]
        let metrics = metricsFactory.map { DaemonMetrics(factory: $0) } ?? .none
        let pipeline = StorePipeline(store: store, config: cfg, logger: logger, metrics: metrics)
        let core = DaemonCore(config: cfg, pipeline: pipeline,
                              notifier: SystemdNotifier(environment: environment), logger: logger, metrics: metrics)
        let path = config
        var alongside: [any Service] = []
        if let listen = cfg.http.listen {
            // The same server as `wwmon serve`, on the daemon's own store connection.
            let address = try WebServer.Listen(parsing: listen)
            let web = { var l = logger; l[metadataKey: "component"] = "http"; return l }()   // the daemon's logger, tagged
            alongside.append(WebServer(store: store, listen: address, layerMetrics: cfg.http.layerMetrics, health: health,
                                       logger: web) { port in
                web.notice("dashboard listening", metadata: ["http.url": "http://\(address.host):\(port)/"])
            })
        }
        try await DaemonService.runGroup(core: core, logger: logger, alongside: alongside) {
            Result { () throws(ConfigError) in try DaemonConfig.load(path: path) }
        }
    }
}

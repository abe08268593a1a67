import Logging
import ServiceLifecycle
import UnixSignals

/// The daemon as a swift-service-lifecycle `Service`: SIGTERM/SIGINT stop it gracefully
/// (STOPPING=1, no new analyses, the running one finishes or is abandoned within
/// `stop_timeout_seconds`, nothing partial written); SIGHUP re-reads the configuration through
/// `loadConfig` (a bad file is rejected and the running configuration kept).
public struct DaemonService<Pipeline: CheckpointPipeline>: Service {
    public let core: DaemonCore<Pipeline>
    let loadConfig: @Sendable () -> Result<DaemonConfig, ConfigError>

    public init(core: DaemonCore<Pipeline>, loadConfig: @escaping @Sendable () -> Result<DaemonConfig, ConfigError>) {
        self.core = core; self.loadConfig = loadConfig
    }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let reloads = Task { [core, loadConfig] in
            for await _ in hangups { core.requestReload(loadConfig()) }
        }
        defer { reloads.cancel() }
        await withGracefulShutdownHandler {
            await core.run()
        } onGracefulShutdown: {
            core.requestStop()
        }
    }

    /// Runs the daemon until SIGTERM or SIGINT.
    /// `alongside`: services that live and stop with the daemon (the `[http]` web server). One
    /// of them failing (say, its port taken) is logged by it and leaves the daemon recording.
    public static func runGroup(core: DaemonCore<Pipeline>, logger: Logger, alongside: [any Service] = [],
                                loadConfig: @escaping @Sendable () -> Result<DaemonConfig, ConfigError>) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: DaemonService(core: core, loadConfig: loadConfig))] + alongside.map {
                .init(service: $0, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore)
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

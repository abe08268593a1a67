import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Store
import Web

/// `wwmon serve`: the dashboard, the JSON API and `/metrics` over a history database,
/// read-only, until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web dashboard, the JSON API (/api/v1) and Prometheus /metrics.",
        discussion: """
        Read-only on the store: it runs beside the daemon (or use [http] listen in the daemon's \
        configuration to serve from the daemon itself). Binds loopback by default; port 0 picks \
        a free port. Prints the URL once listening.
        """)

    @Option(name: .long, help: ArgumentHelp("Address to bind.", valueName: "host:port"))
    var listen: String = "127.0.0.1:9108"
    @Flag(name: .long, help: "Leave per-layer alpha series out of /metrics (cardinality).")
    var noLayerMetrics = false
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        do { _ = try WebServer.Listen(parsing: listen) } catch { throw ValidationError("--listen: \(error)") }
    }

    func run() async throws {
        let store = try database.reader()
        let address = try WebServer.Listen(parsing: listen)
        let logger = Logger(label: "wwmon.http")
        let server = WebServer(store: store, listen: address, layerMetrics: !noLayerMetrics, logger: logger) { port in
            let host = address.host.contains(":") ? "[\(address.host)]" : address.host
            emit("wwmon dashboard: http://\(host):\(port)/ (database \(store.path))\n")
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

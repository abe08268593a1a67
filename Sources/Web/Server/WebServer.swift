import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Store

/// `wwmon serve` and the daemon's `[http]` server: read-only pages, the JSON API and
/// `/metrics` over one store. A `Service`, so it runs in the daemon's ServiceGroup beside the
/// watcher and stops with it.
public struct WebServer: Service {
    public struct Listen: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

        /// `HOST:PORT` (`[::1]:9108` for IPv6; port 0 picks a free one).
        public init(parsing s: String) throws {
            guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port) else {
                throw WebError.badRequest("listen address must be HOST:PORT, e.g. 127.0.0.1:9108 (got \"\(s)\")")
            }
            var host = String(s[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw WebError.badRequest("listen address needs a host, e.g. 127.0.0.1:\(port) (got \"\(s)\")") }
            self.host = host; self.port = port
        }
    }

    public var store: HistoryStore
    public var listen: Listen
    public var layerMetrics: Bool
    /// The daemon's health series, appended to `/metrics`.
    public var health: PrometheusCollectorRegistry?
    public var logger: Logger
    /// Called with the bound port once the server accepts connections (port 0 binds any).
    public var onRunning: @Sendable (Int) async -> Void

    public init(store: HistoryStore, listen: Listen, layerMetrics: Bool = true, health: PrometheusCollectorRegistry? = nil,
                logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.store = store; self.listen = listen; self.layerMetrics = layerMetrics; self.health = health
        self.logger = logger; self.onRunning = onRunning
    }

    public func run() async throws {
        let exposition = StoreExposition(store: store, layerMetrics: layerMetrics, health: health)
        let router = Routes.router(store: store, exposition: exposition, logger: logger)
        let onRunning = self.onRunning
        let app = Application(router: router,
                              configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "wwmon"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
                              logger: logger)
        do { try await app.run() } catch {
            logger.error("web server stopped", metadata: ["http.listen": "\(listen)", "error": "\(error)"])
            throw error
        }
    }
}

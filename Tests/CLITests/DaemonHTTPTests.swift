import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Testing

/// `[http] listen` in the daemon's configuration: the dashboard runs inside the daemon's
/// ServiceGroup, and `/metrics` carries the daemon's own health beside the store's series.
@Suite("wwmon daemon with [http]", .serialized)
struct DaemonHTTPTests {
    @Test("The daemon serves the pages and /metrics with its health counters; SIGTERM stops both")
    func daemonServesDashboard() async throws {
        let dir = try StoreCLI.tempDir(), root = dir.appendingPathComponent("run").path
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let d = try DaemonProcessTests.Daemon(dir: dir, config: DaemonProcessTests.config(root, extra: "[http]\nlisten = \"127.0.0.1:0\""))
        try d.start()
        try DaemonProcessTests.smallSafetensors(seed: 1).write(to: URL(fileURLWithPath: root + "/checkpoint-5.safetensors"))
        #expect(d.waitRows("r", 1).count == 1, "log:\n\(d.logText)")

        // The bound port is in the daemon's log line "dashboard listening".
        var base: String?
        let deadline = Date().addingTimeInterval(60)
        while base == nil && Date() < deadline {
            if let r = d.logText.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) { base = String(d.logText[r]) }
            else { usleep(100_000) }
        }
        let url = try #require(base, "no dashboard URL in the log:\n\(d.logText)")

        func get(_ path: String) async throws -> (Int, String) {
            var req = URLRequest(url: URL(string: url + path)!)
            req.timeoutInterval = 60
            let (data, resp) = try await URLSession.shared.data(for: req)
            return ((resp as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
        }
        // Gauges follow the daemon's status updates: wait for the recorded checkpoint to show.
        var metrics = ""
        let until = Date().addingTimeInterval(60)
        repeat {
            metrics = try await get("/metrics").1
            if metrics.contains("wwmon_checkpoints_recorded_total 1") { break }
            usleep(200_000)
        } while Date() < until
        #expect(metrics.contains("wwmon_checkpoints_recorded_total 1"), "\(metrics)")
        #expect(metrics.contains("wwmon_analysis_seconds_count 1"), "\(metrics)")
        #expect(metrics.contains("wwmon_roots_watched 1") && metrics.contains("wwmon_roots_polled 0"), "\(metrics)")
        #expect(metrics.contains("wwmon_last_success_timestamp_seconds "))
        #expect(metrics.contains("wwmon_run_last_step{run=\"r\"} 5"), "\(metrics)")
        #expect(metrics.contains("wwmon_layer_alpha{run=\"r\",layer=\"fc\"}"))
        let page = try await get("/run?run=r")
        #expect(page.0 == 200 && page.1.contains("class=\"chart heatmap\""))
        let esd = try await get("/layer?run=r&layer=fc")
        #expect(esd.0 == 200 && esd.1.contains("class=\"chart esd\""), "the daemon keeps spectra by default")
        #expect(d.stop() == 0)
    }
}

import Foundation
import Testing

/// `wwmon serve` as a real process over a store with a real recorded run: every route's
/// status and content type, the API's bodies equal to the CLI's `--json`, hostile names shown
/// as text, unknown things 404 (never 5xx).
@Suite("wwmon serve", .serialized)
struct ServeCommandTests {
    /// Built once: the trainer's checkpoints, analysed and recorded by `wwmon ingest`.
    static let fixture = Result { try DashboardFixture() }

    static func q(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed)!
    }

    @Test("Every /api/v1 route returns exactly what the matching `wwmon … --json` prints")
    func apiEqualsCLI() async throws {
        let f = try Self.fixture.get()
        let server = try ServeProcess(db: f.db)
        let run = DashboardFixture.run
        let layer = "encoder.1.mlp.up"
        let cases: [(String, [String])] = [
            ("/api/v1/runs", ["runs"]),
            ("/api/v1/checkpoints?run=\(run)", ["checkpoints", run]),
            ("/api/v1/history?run=\(run)", ["history", run]),
            ("/api/v1/history?run=\(run)&summary=1", ["history", run, "--summary"]),
            ("/api/v1/history?run=\(run)&layer=\(layer)&metric=alpha&metric=D&last=2",
             ["history", run, "--layer", layer, "--metric", "alpha", "--metric", "D", "--last", "2"]),
            ("/api/v1/layers?run=\(run)", ["layers", run]),
            ("/api/v1/layers?run=\(run)&step=400", ["layers", run, "--step", "400"]),
            ("/api/v1/compare?run=\(run)&from=200&to=800", ["compare", run, "--from", "200", "--to", "800"]),
            ("/api/v1/compare?run=\(run)&with=\(Self.q(DashboardFixture.hostilePath))&metric=stable_rank",
             ["compare", run, "--with", DashboardFixture.hostilePath, "--metric", "stable_rank"]),
            ("/api/v1/alerts?state=all", ["alerts", "--state", "all"]),
            ("/api/v1/alerts?run=\(run)", ["alerts", run]),
        ]
        for (path, args) in cases {
            let reply = try await server.get(path)
            let cli = try StoreCLI.run(args + ["--json", "--db", f.db])
            #expect(reply.status == 200, "\(path): \(reply.body)")
            #expect(reply.contentType == "application/json; charset=utf-8", "\(path)")
            #expect(!cli.stdout.isEmpty && reply.body == cli.stdout, "\(path) differs from wwmon \(args.joined(separator: " ")) --json")
        }
        // The CLI's usage errors are 400s with the same sentence.
        let bad = try await server.get("/api/v1/history?run=\(run)&summary=1&layer=\(layer)")
        #expect(bad.status == 400 && bad.body.contains("Use either --layer or --summary"), "\(bad.body)")
        let spectrum = try await server.get("/api/v1/spectrum?run=\(run)&layer=\(layer)&step=600")
        #expect(spectrum.status == 200 && spectrum.body.contains("\"step\":600"), "\(spectrum.body.prefix(200))")
    }

    @Test("Pages answer 200 as HTML with inline SVG and no script; /metrics is the Prometheus text format")
    func pagesAndMetrics() async throws {
        let f = try Self.fixture.get()
        let server = try ServeProcess(db: f.db)
        let run = DashboardFixture.run
        for path in ["/", "/run?run=\(run)", "/layer?run=\(run)&layer=encoder.0.attn",
                     "/layer?run=\(run)&layer=encoder.0.attn&step=800&vs=200", "/compare",
                     "/compare?run=\(run)&from=200&to=600", "/alerts", "/alerts?run=\(run)&state=firing"] {
            let r = try await server.get(path)
            #expect(r.status == 200, "\(path): \(r.body.prefix(300))")
            #expect(r.contentType == "text/html; charset=utf-8", "\(path)")
            #expect(r.body.hasPrefix("<!doctype html>") && !r.body.contains("<script"), "\(path)")
            #expect(!r.body.contains("http://") && !r.body.contains("https://"), "\(path) must fetch nothing from elsewhere")
        }
        let runPage = try await server.get("/run?run=\(run)")
        #expect(runPage.body.contains("class=\"chart heatmap\"") && runPage.body.contains("Biggest movers"))
        let layerPage = try await server.get("/layer?run=\(run)&layer=encoder.0.attn&step=800&vs=200")
        #expect(layerPage.body.contains("class=\"chart esd\"") && layerPage.body.contains("class=\"fit\"")
                && layerPage.body.contains("class=\"earlier\""))

        let m = try await server.get("/metrics")
        #expect(m.status == 200 && m.contentType.hasPrefix("text/plain; version=0.0.4"))
        #expect(m.body.contains("wwmon_run_last_step{run=\"\(run)\"} 800"), "\(m.body.prefix(600))")
        #expect(m.body.contains("# TYPE wwmon_run_alpha_mean gauge"))
        #expect(m.body.contains("wwmon_layer_alpha{run=\"\(run)\",layer=\"encoder.0.attn\"}"))
        let quiet = try ServeProcess(db: f.db, extra: ["--no-layer-metrics"])
        let q = try await quiet.get("/metrics")
        #expect(q.body.contains("wwmon_run_alpha_weighted_mean{run=\"\(run)\"}") && !q.body.contains("wwmon_layer_alpha"))
    }

    @Test("Runs and layers named <script>alert(1)</script> or ../../etc/passwd are shown as text and followed nowhere")
    func hostileNames() async throws {
        let f = try Self.fixture.get()
        let server = try ServeProcess(db: f.db)
        let script = DashboardFixture.hostileScript, path = DashboardFixture.hostilePath
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
        let pages = ["/", "/run?run=\(Self.q(script))", "/run?run=\(Self.q(path))",
                     "/layer?run=\(Self.q(script))&layer=\(Self.q(script))", "/layer?run=\(Self.q(path))&layer=\(Self.q(path))",
                     "/alerts", "/compare?run=\(Self.q(script))&with=\(Self.q(path))"]
        for p in pages {
            let r = try await server.get(p)
            #expect(r.status == 200, "\(p): \(r.body.prefix(300))")
            #expect(!r.body.contains("<script"), "\(p) carries a script element")
            #expect(!r.body.contains("root:x:0:0"), "\(p) read /etc/passwd")
        }
        #expect(try await server.get("/").body.contains(escaped))
        #expect(try await server.get("/run?run=\(Self.q(path))").body.contains("<h1>../../etc/passwd</h1>"))
        let layer = try await server.get("/layer?run=\(Self.q(script))&layer=\(Self.q(script))")
        #expect(layer.body.contains("<h1>\(escaped)</h1>"))
        // Links carry the names percent-encoded, as data.
        #expect(try await server.get("/").body.contains("/run?run=..%2F..%2Fetc%2Fpasswd"))
        let api = try await server.get("/api/v1/layers?run=\(Self.q(path))")
        #expect(api.status == 200 && api.body.contains("\"name\" : \"../../etc/passwd\""), "\(api.body.prefix(300))")
    }

    @Test("Unknown runs, layers, steps and paths are 404 pages or JSON errors; bad parameters 400; never 5xx")
    func unknownIs404() async throws {
        let f = try Self.fixture.get()
        let server = try ServeProcess(db: f.db)
        let run = DashboardFixture.run
        let cases: [(String, Int, Bool)] = [
            ("/run?run=nope", 404, false), ("/layer?run=\(run)&layer=nope", 404, false),
            ("/layer?run=nope&layer=x", 404, false), ("/layer?run=\(run)&layer=encoder.0.attn&step=999", 404, false),
            ("/compare?run=\(run)&from=999", 404, false), ("/alerts?run=nope", 404, false),
            ("/nope", 404, false), ("/run/../../etc/passwd", 404, false), ("/run", 400, false),
            ("/layer?run=\(run)&layer=encoder.0.attn&step=abc", 400, false), ("/alerts?state=maybe", 400, false),
            ("/api/v1/checkpoints?run=nope", 404, true), ("/api/v1/layers?run=\(run)&step=999", 404, true),
            ("/api/v1/history?run=\(run)&layer=nope", 404, true), ("/api/v1/compare?run=\(run)&with=nope", 404, true),
            ("/api/v1/alerts?run=nope", 404, true), ("/api/v1/spectrum?run=\(run)&layer=nope", 404, true),
            ("/api/v1/nope", 404, true), ("/api/v1/checkpoints", 400, true), ("/api/v1/history?run=\(run)&metric=bogus", 400, true),
        ]
        for (p, status, json) in cases {
            let r = try await server.get(p)
            #expect(r.status == status, "\(p): \(r.status) \(r.body.prefix(200))")
            #expect(r.contentType.hasPrefix(json ? "application/json" : "text/html"), "\(p): \(r.contentType)")
        }
        let missing = try await server.get("/run?run=nope")
        #expect(missing.body.contains("nope") && missing.body.contains("404"))
    }
}

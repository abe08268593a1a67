import Foundation
import Testing

/// Debian's Chromium, headless, on a `wwmon serve` over a real recorded run: what a person
/// sees. Screenshots of every page are kept as artefacts under .build/browser-artifacts (the
/// path is printed). scripts/test.sh installs Chromium (scripts/ensure-deps.sh --browser).
@Suite("Dashboard in a real browser", .serialized)
struct BrowserTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static let artifacts: URL = {
        let dir = StoreCLI.repoRoot.appendingPathComponent(".build/browser-artifacts")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// Runs Chromium headless to completion (generous deadline: the machine is shared).
    static func chromium(_ args: [String]) throws -> String {
        guard let exe = chromium else {
            throw DashboardFixture.Failure("Chromium is not installed: run `bash scripts/ensure-deps.sh --browser` (apt package chromium)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                       "--user-data-dir=\(profile.path)", "--hide-scrollbars"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw DashboardFixture.Failure("chromium exited \(p.terminationStatus) for \(args)") }
        return String(decoding: data, as: UTF8.self)
    }

    static func dom(_ url: String) throws -> String { try chromium(["--dump-dom", url]) }

    static func screenshot(_ url: String, _ name: String, height: Int = 2400) throws {
        let file = artifacts.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: file)
        _ = try chromium(["--screenshot=\(file.path)", "--window-size=1280,\(height)", url])
        #expect(FileManager.default.fileExists(atPath: file.path), "no screenshot \(file.path)")
    }

    /// The first `<svg …class="chart KIND"…>…</svg>` of a DOM.
    static func svg(_ dom: String, _ kind: String) -> Substring? {
        guard let start = dom.range(of: "class=\"chart \(kind)\"") else { return nil }
        let open = dom[..<start.lowerBound].range(of: "<svg", options: .backwards)!.lowerBound
        let end = dom[open...].range(of: "</svg>")!.upperBound
        return dom[open..<end]
    }

    static func count(_ needle: String, _ s: Substring) -> Int { s.components(separatedBy: needle).count - 1 }

    static func attr(_ name: String, _ s: Substring) -> Double? {
        guard let r = s.range(of: " \(name)=\"") else { return nil }
        return Double(s[r.upperBound...].prefix { $0 != "\"" })
    }

    @Test("Every page loads; charts hold one point per checkpoint, the heatmap one cell per layer × checkpoint, the ESD fit starts at xmin")
    func whatAPersonSees() async throws {
        let f = try ServeCommandTests.fixture.get()
        let server = try ServeProcess(db: f.db)
        let run = DashboardFixture.run, steps = DashboardFixture.steps
        print("browser test screenshots: \(Self.artifacts.path)")

        // Runs page: every run listed, the hostile names as text.
        let runs = try Self.dom(server.base + "/")
        #expect(runs.contains(">\(run)</a>"))
        #expect(runs.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !runs.contains("<script>alert"))
        #expect(Self.count("<svg class=\"spark\"", runs[...]) == 3)
        try Self.screenshot(server.base + "/", "runs.png", height: 700)

        // Run page: ⟨alpha⟩ has one dot per checkpoint; the heatmap one cell per layer and checkpoint.
        let page = try Self.dom(server.base + "/run?run=\(run)")
        let alpha = try #require(Self.svg(page, "line"))
        #expect(alpha.contains("⟨alpha⟩"))
        #expect(Self.count("<circle", alpha) == steps.count, "\(alpha.prefix(400))")
        #expect(alpha.contains("data-points=\"\(steps.count)\""))
        // The training metric recorded with each checkpoint has its own chart, one point each.
        let training = try #require(page.range(of: "<h2>Training metrics</h2>")).upperBound
        let evalLoss = try #require(Self.svg(String(page[training...]), "line"))
        #expect(evalLoss.contains("eval_loss") && Self.count("<circle", evalLoss) == steps.count)
        let layers = try StoreCLI.jsonArray("[" + StoreCLI.run(["layers", run, "--json", "--db", f.db]).stdout + "]")
        let layerCount = (layers[0]["layers"] as? [Any])?.count ?? 0
        #expect(layerCount == 7)
        let heat = try #require(Self.svg(page, "heatmap"))
        #expect(Self.count("<rect class=\"cell", heat) == layerCount * steps.count)
        try Self.screenshot(server.base + "/run?run=\(run)", "run.png")

        // Layer page: the ESD's fitted line starts at the recorded xmin.
        let layer = "encoder.1.mlp.up", step = 800
        let doc = try JSONSerialization.jsonObject(with: Data(StoreCLI.run(["layers", run, "--step", "\(step)", "--json", "--db", f.db]).stdout.utf8)) as! [String: Any]
        let row = try #require((doc["layers"] as! [[String: Any]]).first { ($0["name"] as? String)?.hasPrefix(layer) == true })
        let xmin = try #require(row["xmin"] as? Double)
        let layerDOM = try Self.dom(server.base + "/layer?run=\(run)&layer=\(layer)&step=\(step)&vs=200")
        let esd = try #require(Self.svg(layerDOM, "esd"))
        let (x0, x1) = (try #require(Self.attr("data-x0", esd)), try #require(Self.attr("data-x1", esd)))
        let (p0, p1) = (try #require(Self.attr("data-px0", esd)), try #require(Self.attr("data-px1", esd)))
        let fit = try #require(esd.range(of: "class=\"fit\""))
        let d = esd[fit.upperBound...].components(separatedBy: " d=\"M")[1].prefix { $0 != " " }
        let startLambda = pow(10, x0 + (try #require(Double(d)) - p0) / (p1 - p0) * (x1 - x0))
        #expect(abs(startLambda / xmin - 1) < 0.01, "fit starts at λ = \(startLambda), recorded xmin \(xmin)")
        let marker = try #require(Self.attr("data-lambda", esd[esd.range(of: "class=\"xmin\"")!.lowerBound...]))
        #expect(abs(marker / xmin - 1) < 1e-9)
        #expect(esd.contains("class=\"earlier\"") && esd.contains("step 200"))
        try Self.screenshot(server.base + "/layer?run=\(run)&layer=\(layer)&step=\(step)&vs=200", "layer.png", height: 1500)

        // Compare and alerts pages.
        let compare = try Self.dom(server.base + "/compare?run=\(run)&from=200&to=800")
        #expect(compare.contains("Per-layer alpha") && Self.count("class=\"bar ", compare[...]) == layerCount)
        try Self.screenshot(server.base + "/compare?run=\(run)&from=200&to=800", "compare.png", height: 1000)
        let alerts = try Self.dom(server.base + "/alerts")
        #expect(alerts.contains("<h1>Alerts</h1>"))
        try Self.screenshot(server.base + "/alerts", "alerts.png", height: 700)
        // A missing layer is a page that says so, not a browser error.
        let missing = try Self.dom(server.base + "/layer?run=\(run)&layer=nope")
        #expect(missing.contains("404") && missing.contains("nope"))
    }
}

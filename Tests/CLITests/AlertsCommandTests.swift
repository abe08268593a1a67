import Alerts
import Analysis
import Foundation
import Metrics
import Store
import Testing

/// `wwmon alerts` against a real database whose alerts were written by the alert engine's
/// store backend.
@Suite struct AlertsCommandTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    /// run "bert": one firing layer alert, one resolved run-level alert; run "gpt": nothing.
    func database() async throws -> String {
        let dir = try StoreCLI.tempDir()
        let path = dir.appendingPathComponent("wwmon.db").path
        let store = try HistoryStore(path: path)
        for run in ["bert", "gpt"] {
            let rows = try StoreCLI.layers("a_gaussian_1000x500__st")
            _ = try store.record(run: run, root: "/ckpt", report: CheckpointReport(
                layers: rows, summary: Summary(rows: rows, skipped: 0),
                checkpoint: CheckpointInfo(path: "/ckpt/\(run)/1", format: "safetensors", step: 100)),
                identity: CheckpointIdentity(path: "/ckpt/\(run)/1", size: 1, mtimeNs: 1, inode: 1, device: 1),
                durationSeconds: 0.1)
        }
        func state(_ rule: AlertRule, _ layer: String, _ message: String) -> AlertState {
            AlertState(fingerprint: AlertFingerprint(rule: rule, run: "bert", layer: layer), metric: "alpha",
                       status: .firing, step: 100, value: 1.5, threshold: 2, message: message,
                       firedAt: t0, resolvedAt: nil, lastSentAt: t0)
        }
        let backend = HistoryAlertStore(store: store)
        let low = state(.alphaOutOfRange, "enc.0\nq", "layer enc.0 q: alpha 1.5 < alpha_min 2")
        var error = state(.checkpointError, "", "checkpoint /ckpt/bert/2 could not be analysed: truncated")
        _ = try await backend.record([AlertEvent(kind: .fired, alert: low, at: t0),
                                  AlertEvent(kind: .fired, alert: error, at: t0)], for: [])
        error.status = .resolved; error.resolvedAt = t0 + 60; error.lastSentAt = t0 + 60; error.step = 200
        _ = try await backend.record([AlertEvent(kind: .resolved, alert: error, at: t0 + 60)], for: [])
        return path
    }

    func json(_ s: String) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(s.utf8)) as! [[String: Any]]
    }

    @Test("--json lists firing alerts with the documented keys and exits 3")
    func firingJSON() async throws {
        let db = try await database()
        let r = try StoreCLI.run(["alerts", "--db", db, "--json"])
        #expect(r.status == 3, "\(r.stderr)")
        let rows = try json(r.stdout)
        #expect(rows.count == 1)
        #expect(Set(rows[0].keys) == ["run", "rule", "layer", "state", "step", "value", "threshold", "message",
                                      "fired_at", "resolved_at"])
        #expect(rows[0]["layer"] as? String == "enc.0\nq" && rows[0]["state"] as? String == "firing")
        #expect(rows[0]["value"] as? Double == 1.5 && rows[0]["threshold"] as? Double == 2)
        #expect(rows[0]["fired_at"] as? String == "2023-11-14T22:13:20Z" && rows[0]["resolved_at"] is NSNull)
    }

    @Test("--state all includes resolved alerts (run-level layer is null); --state resolved alone exits 0")
    func statesAndExitCodes() async throws {
        let db = try await database()
        let all = try json(try StoreCLI.run(["alerts", "bert", "--db", db, "--state", "all", "--json"]).stdout)
        let resolved = try #require(all.first { $0["state"] as? String == "resolved" })
        #expect(all.count == 2)
        #expect(resolved["rule"] as? String == "analysis_failed" && resolved["layer"] is NSNull)
        #expect(resolved["resolved_at"] as? String == "2023-11-14T22:14:20Z" && resolved["step"] as? Int == 200)
        let onlyResolved = try StoreCLI.run(["alerts", "--db", db, "--state", "resolved", "--json"])
        let resolvedRows = try json(onlyResolved.stdout)
        #expect(onlyResolved.status == 0 && resolvedRows.count == 1)
        let quietRun = try StoreCLI.run(["alerts", "gpt", "--db", db])
        #expect(quietRun.status == 0 && quietRun.stdout.contains("No firing alerts for run gpt"))
    }

    @Test("the table keeps one line per alert even for layer names with newlines, and exits 3")
    func table() async throws {
        let db = try await database()
        let r = try StoreCLI.run(["alerts", "--db", db, "--state", "all"])
        #expect(r.status == 3)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 3)  // header + 2
        #expect(r.stdout.contains("alpha_out_of_range") && r.stdout.contains("enc.0 q"))
    }

    @Test("an unknown run and a bad --state are clear errors")
    func errors() async throws {
        let db = try await database()
        let unknown = try StoreCLI.run(["alerts", "t5", "--db", db])
        #expect(unknown.status == 1 && unknown.stderr.contains("t5") && unknown.stderr.contains("bert"))
        let bad = try StoreCLI.run(["alerts", "--db", db, "--state", "open"])
        #expect(bad.status == 2 && bad.stderr.contains("'firing', 'resolved' or 'all'"))   // the parser's own message
    }
}

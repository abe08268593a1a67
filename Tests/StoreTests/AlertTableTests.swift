import Foundation
import GRDB
import Testing
@testable import Store

@Suite("Alert and hook-run tables (filled by the alert engine)")
struct AlertTableTests {
    @Test("fire → refresh → resolve → fire again: one firing row per fingerprint, episodes kept")
    func lifecycle() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        try QueryTests.threeCheckpoints(store, dir)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let a = StoredAlert(rule: "alpha_range", run: "mixed", layer: "layers.0", step: 100, value: 11.58,
                            threshold: 6, message: "alpha 11.58 > 6", firedAt: t0, lastSentAt: t0)
        try store.applyAlertChanges([.fire(a), .fire(a)])
        #expect(try store.firingAlerts().count == 1)
        #expect(try store.runs().first?.alertsFiring == 1)
        try store.applyAlertChanges([.refresh(rule: "alpha_range", run: "mixed", layer: "layers.0", step: 200,
                                              value: 11.57, message: "alpha 11.57 > 6", sentAt: nil)])
        let refreshed = try #require(try store.firingAlerts().first)
        #expect(refreshed.step == 200 && refreshed.value == 11.57 && refreshed.lastSentAt == t0 && refreshed.firedAt == t0)
        try store.applyAlertChanges([.resolve(rule: "alpha_range", run: "mixed", layer: "layers.0", step: 300,
                                              value: 5.9, at: t0 + 60)])
        #expect(try store.firingAlerts().isEmpty)
        #expect(try store.alerts(run: "mixed", state: .resolved).first?.resolvedAt == t0 + 60)
        try store.applyAlertChanges([.fire(a)])
        // Newest first: the new episode is firing, the old one stays resolved.
        #expect(try store.alerts(run: "mixed").map(\.state) == [.firing, .resolved])
        #expect(throws: StoreError.unknownRun("nope", known: ["mixed"])) { _ = try store.alerts(run: "nope") }
    }

    @Test("A layer name containing the separator character cannot collide with another fingerprint")
    func fingerprintsDoNotCollide() {
        #expect(StoredAlert.fingerprint(rule: "r", run: "a|b", layer: "c")
                != StoredAlert.fingerprint(rule: "r", run: "a", layer: "b|c"))
    }

    @Test("Hook runs: one row per carried alert, or one row for a test event")
    func hookRuns() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        try QueryTests.threeCheckpoints(store, dir)
        let now = Date()
        let alerts = ["layers.0", "layers.1"].map {
            StoredAlert(rule: "alpha_range", run: "mixed", layer: $0, step: 300, value: 9, threshold: 6, message: "m", firedAt: now)
        }
        try store.applyAlertChanges(alerts.map { .fire($0) })
        try store.recordHookRun(hook: "notify", fingerprints: alerts.map(\.fingerprint), startedAt: now,
                                durationSeconds: 0.2, exitStatus: 1, stderrTail: "boom")
        try store.recordHookRun(hook: "notify", fingerprints: [], startedAt: now, durationSeconds: nil,
                                exitStatus: nil, stderrTail: nil)
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT alert_id, exit_status, stderr_tail FROM hook_runs ORDER BY id")
        }
        #expect(rows.count == 3)
        #expect(rows.prefix(2).allSatisfy { ($0["alert_id"] as Int64?) != nil && $0["exit_status"] == 1 })
        #expect((rows[2]["alert_id"] as Int64?) == nil)
    }

    @Test("Recent samples for the rules: analysed checkpoints before a step, oldest first, newest K")
    func recentSamples() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        try QueryTests.threeCheckpoints(store, dir)
        let bad = try Fixtures.file(dir, "bad", bytes: 1)
        _ = try store.recordError(run: "mixed", root: nil, path: bad, step: 250, epoch: nil, identity: .of(path: bad), error: "x")
        #expect(try store.recentSamples(run: "mixed", beforeStep: 300, limit: 10).map(\.step) == [100, 200])
        #expect(try store.recentSamples(run: "mixed", beforeStep: nil, limit: 2).map(\.step) == [200, 300])
        let s = try #require(try store.recentSamples(run: "mixed", beforeStep: nil, limit: 1).first)
        #expect(s.layers.count == 7 && s.summary.layersAnalyzed == 7)
    }
}

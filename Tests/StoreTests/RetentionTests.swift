import Foundation
import GRDB
import Store
import Testing

/// Retention rules on a real SQLite store (Sources/Store/HistoryStore+Retention.swift).
struct RetentionTests {
    static let day = 86_400.0
    static let now = 1_800_000_000.0

    /// A store with run `name` holding checkpoints at `steps`, the i-th analysed `ages[i]` days ago.
    static func fill(_ store: HistoryStore, run name: String, steps: [Int], daysAgo: (Int) -> Double) throws {
        for (i, s) in steps.enumerated() {
            let path = "/ckpt/\(name)/step-\(s).safetensors"
            let report = try Fixtures.report("c_mixed_f32__st", path: path, step: s)
            let id = CheckpointIdentity(path: path, size: 100, mtimeNs: Int64(s), inode: UInt64(s + 1), device: 9)
            _ = try store.record(run: name, root: "/ckpt", report: report, identity: id, durationSeconds: 1,
                                 analyzedAt: Date(timeIntervalSince1970: now - daysAgo(i) * day))
        }
    }

    static func count(_ store: HistoryStore, _ table: String) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1 }
    }

    static func steps(_ store: HistoryStore, _ run: String) throws -> [Int] {
        try store.checkpoints(run: run).compactMap(\.step).sorted()
    }

    @Test("keep_last + keep_every keeps the window whole and one per k intervals before it; again removes nothing")
    func thinsOlderAndIsIdempotent() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("h.db").path)
        let steps = Array(stride(from: 0, through: 1900, by: 100))   // 20 checkpoints, interval 100
        try Self.fill(store, run: "a", steps: steps) { Double(20 - $0) }
        let policy = RetentionPolicy(keepLast: 5, keepEvery: 4)
        let plan = try store.retentionPlan(policy, now: Self.now)
        // Old: steps 0…1400; buckets of 400 steps keep 0, 400, 800, 1200.
        let expectedKept = [0, 400, 800, 1200, 1500, 1600, 1700, 1800, 1900]
        #expect(Set(plan.checkpoints.map(\.step)) == Set(steps).subtracting(expectedKept))
        let layerRowsBefore = try Self.count(store, "layer_metrics")
        let result = try store.applyRetention(plan, policy: policy, now: Self.now, batchSize: 3)
        #expect(result.plan.checkpoints.count == 11)
        #expect(result.batches == 4)   // 11 checkpoints in batches of 3
        #expect(try Self.steps(store, "a") == expectedKept)
        // Cascades: layer rows and summaries of removed checkpoints are gone, the others intact.
        #expect(try Self.count(store, "summaries") == expectedKept.count)
        #expect(try Self.count(store, "layer_metrics") == layerRowsBefore / steps.count * expectedKept.count)
        #expect(try store.retentionPlan(policy, now: Self.now).isEmpty)
    }

    @Test("keep_days keeps checkpoints analysed within the window; no keep_every removes all older but the newest")
    func keepDaysWithoutThinning() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("h.db").path)
        try Self.fill(store, run: "a", steps: [10, 20, 30, 40, 50]) { [40, 30, 9, 2, 1][$0] }
        try Self.fill(store, run: "b", steps: [1, 2]) { _ in 100 }
        let policy = RetentionPolicy(keepDays: 10)
        try store.applyRetention(try store.retentionPlan(policy, now: Self.now), policy: policy, now: Self.now)
        #expect(try Self.steps(store, "a") == [30, 40, 50])
        #expect(try Self.steps(store, "b") == [2])   // the newest of a run always stays
    }

    @Test("alerts of removed checkpoints stay with their step; dropping a stale run removes its rows and alerts")
    func alertsAndRunDrops() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("h.db").path)
        try Self.fill(store, run: "live", steps: [1, 2, 3, 4]) { [50, 40, 1, 0][$0] }
        try Self.fill(store, run: "old", steps: [1, 2]) { [90, 80][$0] }
        let at = Date(timeIntervalSince1970: Self.now - 45 * Self.day)
        for run in ["live", "old"] {
            try store.recordAlertTransitions([.init(kind: .fired, fingerprint: "alpha|\(run)|x", rule: "alpha_range",
                                                    run: run, layer: "x", step: 1, value: 9, threshold: 6,
                                                    message: "alpha high", firedAt: at, resolvedAt: nil, lastSentAt: at)],
                                             outbox: [], at: at)
        }
        let policy = RetentionPolicy(keepDays: 30, dropRunsAfterDays: 60)
        let plan = try store.retentionPlan(policy, now: Self.now)
        #expect(plan.runs.map(\.run) == ["old"])
        #expect(plan.checkpoints.map(\.step) == [1, 2])
        let result = try store.applyRetention(plan, policy: policy, now: Self.now, batchSize: 1)
        #expect(result.plan.runs.map(\.run) == ["old"])
        #expect(try store.runs().map(\.run) == ["live"])
        #expect(try Self.steps(store, "live") == [3, 4])
        let alerts = try store.alerts(run: nil, state: nil)
        #expect(alerts.map(\.run) == ["live"])
        #expect(alerts.first?.step == 1)
        #expect(try Self.count(store, "layers") == store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM layers l JOIN runs r ON r.id = l.run_id WHERE r.name = 'live'") ?? -1
        })
    }

    @Test("a run that received a checkpoint after the plan is not dropped")
    func revivedRunStays() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("h.db").path)
        try Self.fill(store, run: "r", steps: [1]) { _ in 90 }
        let policy = RetentionPolicy(dropRunsAfterDays: 60)
        let plan = try store.retentionPlan(policy, now: Self.now)
        #expect(plan.runs.count == 1)
        try Self.fill(store, run: "r", steps: [2]) { _ in 0 }
        let result = try store.applyRetention(plan, policy: policy, now: Self.now)
        #expect(result.plan.isEmpty)
        #expect(try Self.steps(store, "r") == [1, 2])
    }

    @Test("a plan (dry run) changes nothing; a new store returns freed pages (incremental auto-vacuum)")
    func dryRunAndSpace() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("h.db").path
        let store = try HistoryStore(path: path)
        #expect(try store.incrementalVacuumEnabled())
        try Self.fill(store, run: "a", steps: Array(0..<40)) { Double(40 - $0) }
        let policy = RetentionPolicy(keepLast: 2)
        let plan = try store.retentionPlan(policy, now: Self.now)
        #expect(plan.checkpoints.count == 38)
        #expect(try Self.steps(store, "a").count == 40)
        let result = try store.applyRetention(plan, policy: policy, now: Self.now)
        #expect(result.pagesFreed > 0)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "PRAGMA freelist_count") } == 0)
    }

    @Test("an older file without auto-vacuum is converted by vacuum()")
    func vacuumConverts() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("h.db").path
        do { _ = try HistoryStore(path: path) }
        // Turned off the way stores were made before incremental auto-vacuum was set.
        let raw = try DatabaseQueue(path: path)
        try raw.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA auto_vacuum = NONE")
            try db.execute(sql: "VACUUM")
        }
        try raw.close()
        let store = try HistoryStore(path: path)
        #expect(try !store.incrementalVacuumEnabled())
        try store.vacuum()
        #expect(try store.incrementalVacuumEnabled())
    }

    @Test("rule problems read as sentences")
    func problems() {
        #expect(RetentionPolicy(keepEvery: 3).problem?.contains("keep_days or keep_last") == true)
        #expect(RetentionPolicy(keepLast: 0).problem != nil)
        #expect(RetentionPolicy(keepDays: 7, keepEvery: 2).problem == nil)
    }
}

import Foundation
import Testing

/// `wwmon prune`, run as the real binary on a real database (StoreCommandsTests.populated).
@Suite("wwmon prune")
struct PruneCommandTests {
    static func steps(_ db: String, _ run: String) throws -> [Int] {
        try StoreCLI.jsonArray(StoreCLI.run(["checkpoints", run, "--json", "--db", db]).stdout).compactMap { $0["step"] as? Int }
    }

    @Test("--dry-run lists what would go and changes nothing; without it the same rows go")
    func dryRunThenPrune() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = try StoreCommandsTests.populated(dir)
        let dry = try StoreCLI.run(["prune", "--keep-last", "2", "--dry-run", "--json", "--db", db])
        #expect(dry.status == 0, "\(dry.stderr)")
        let plan = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(plan["dry_run"] as? Bool == true)
        let listed = (plan["checkpoints"] as? [[String: Any]] ?? []).map { "\($0["run"] ?? "")@\($0["step"] ?? "")" }
        #expect(listed == ["mixed@100", "mixed@200"])
        #expect(try Self.steps(db, "mixed") == [100, 200, 300, 400])

        let done = try StoreCLI.run(["prune", "--keep-last", "2", "--db", db])
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stdout.contains("removed mixed step 100") && done.stdout.contains("0 runs and 2 checkpoints removed"), "\(done.stdout)")
        #expect(try Self.steps(db, "mixed") == [300, 400])
        #expect(try Self.steps(db, "shallow") == [7])
    }

    @Test("rules come from [store.retention] of --config (and its store path); bad rules exit 2 naming the flag")
    func configAndBadRules() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = try StoreCommandsTests.populated(dir)
        let config = dir.appendingPathComponent("wwmon.toml")
        try """
        [store]
        path = "\(db)"
        [store.retention]
        keep_last = 1
        [[watch]]
        path = "\(dir.path)"
        """.write(to: config, atomically: true, encoding: .utf8)
        let r = try StoreCLI.run(["prune", "--config", config.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.steps(db, "mixed") == [400])

        let bad = try StoreCLI.run(["prune", "--keep-every", "3", "--db", db])
        #expect(bad.status == 2 && bad.stderr.contains("--keep-every"), "\(bad.stderr)")
        let none = try StoreCLI.run(["prune", "--db", db])
        #expect(none.status == 2 && none.stderr.contains("No retention rules"), "\(none.stderr)")
    }
}

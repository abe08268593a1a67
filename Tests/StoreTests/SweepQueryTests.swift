import Foundation
import GRDB
import Testing
@testable import Store

@Suite("Run tags and the sweep query")
struct SweepQueryTests {
    @Test("A database from before tags: readers see no tags and still rank; the next writer adds the table")
    func tagsOnOlderDatabase() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.db").path
        let file = try Fixtures.file(dir, "checkpoint-5.safetensors", bytes: 10)
        do {
            let writer = try HistoryStore(path: path)
            _ = try writer.record(run: "r", root: nil, report: Fixtures.report("c_mixed_f32__st", path: file, step: 5),
                                  identity: .of(path: file), durationSeconds: 0)
        }
        do {  // What a binary without `wwmon tag` wrote: no run_tags table, not our migration.
            let pool = try DatabasePool(path: path)
            try pool.write { db in
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'rank-v1-run-tags'; DROP TABLE run_tags")
            }
        }
        let reader = try HistoryStore(path: path, readOnly: true)
        #expect(try reader.tags().isEmpty)
        let (runs, missing) = try reader.sweep(runs: [], at: .latest)
        #expect(runs.map(\.checkpoint.run) == ["r"] && missing.isEmpty)
        #expect(runs[0].shapes.count == 7 && runs[0].tags.isEmpty)

        let writer = try HistoryStore(path: path)
        try writer.setTags(run: "r", ["lr": "0.1"], source: .user)
        try writer.setTags(run: "r", ["lr": "0.2", "depth": "4"], source: .config)  // the user's lr stays
        #expect(try reader.tags() == ["r": ["lr": "0.1", "depth": "4"]])
        try writer.setTags(run: "r", ["depth": ""], source: .user)                  // empty value removes
        #expect(try reader.tags() == ["r": ["lr": "0.1"]])
    }

    @Test("--at step/epoch pick each run's newest analysed checkpoint at or before the point; runs with none are missing")
    func comparisonPoints() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        for (run, step) in [("a", 10), ("a", 20), ("a", 30), ("b", 25)] {
            let file = try Fixtures.file(dir, "\(run)-\(step).safetensors", bytes: 10 + step)
            var report = try Fixtures.report("c_mixed_f32__st", path: file, step: step)
            report.checkpoint.epoch = Double(step) / 10
            _ = try store.record(run: run, root: nil, report: report, identity: .of(path: file), durationSeconds: 0)
        }
        func steps(_ p: ComparisonPoint) throws -> [String: Int] {
            Dictionary(uniqueKeysWithValues: try store.sweep(runs: [], at: p).runs.map { ($0.checkpoint.run, $0.checkpoint.step) })
        }
        #expect(try steps(.latest) == ["a": 30, "b": 25])
        #expect(try steps(.step(25)) == ["a": 20, "b": 25])
        #expect(try steps(.epoch(1.5)) == ["a": 10])
        #expect(try store.sweep(runs: ["b"], at: .step(5)).missing == ["b"])
        #expect(throws: StoreError.unknownRun("c", known: ["a", "b"])) { try store.sweep(runs: ["c"], at: .latest) }
    }
}

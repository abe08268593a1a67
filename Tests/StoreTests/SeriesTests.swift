import Analysis
import Foundation
import GRDB
import Metrics
import Testing
@testable import Store

/// Issue 9 on the store side: training metrics, `note`, aliases, vanished saves, the v3 migration.
@Suite("One point per checkpoint, with its training metrics")
struct SeriesTests {
    func fresh() throws -> (URL, HistoryStore) {
        let dir = try Fixtures.tempDir()
        return (dir, try HistoryStore(path: dir.appendingPathComponent("w.db").path))
    }

    @Test("Training metrics read from a checkpoint are stored with it and come back on its record")
    func trainingFromCheckpoint() throws {
        let (dir, store) = try fresh(); defer { try? FileManager.default.removeItem(at: dir) }
        let f = try Fixtures.file(dir, "checkpoint-5.safetensors", bytes: 10)
        var report = try Fixtures.report("c_mixed_f32__st", path: f, step: 5)
        report.checkpoint.training = ["eval_loss": 0.41, "learning_rate": 5e-5, "weird": .nan]
        _ = try store.record(run: "r", root: nil, report: report, identity: .of(path: f), durationSeconds: 0)
        let c = try #require(try store.checkpoints(run: "r").first)
        #expect(c.training["eval_loss"] == 0.41 && c.training["learning_rate"] == 5e-5)
        #expect(c.training["weird"]?.isNaN == true)
        #expect(try store.trainingMetricNames(run: "r") == ["eval_loss", "learning_rate", "weird"])
        #expect(try store.trainingSeries(run: "r", name: "eval_loss").map(\.value) == [0.41])
    }

    @Test("note attaches metrics to the recorded step, wins over the file's value, and never creates a checkpoint")
    func noteAttachesOnly() throws {
        let (dir, store) = try fresh(); defer { try? FileManager.default.removeItem(at: dir) }
        let f = try Fixtures.file(dir, "a.safetensors", bytes: 10)
        var report = try Fixtures.report("c_mixed_f32__st", path: f, step: 10)
        report.checkpoint.training = ["eval_loss": 0.5]
        _ = try store.record(run: "r", root: nil, report: report, identity: .of(path: f), durationSeconds: 0)
        let noted = try store.note(run: "r", step: 10, metrics: ["eval_loss": 0.25, "accuracy": 0.9])
        #expect(noted.training == ["eval_loss": 0.25, "accuracy": 0.9])
        // A later read of the files (a late trainer_state.json) does not undo the user's note.
        try store.write { db in
            try HistoryStore.saveTraining(db, checkpointID: noted.id, ["eval_loss": 0.7, "loss": 1.0],
                                          source: .checkpoint, at: Date())
        }
        #expect(try store.checkpoint(run: "r", step: 10).training == ["eval_loss": 0.25, "accuracy": 0.9, "loss": 1.0])

        #expect(throws: StoreError.self) { try store.note(run: "r", step: 11, metrics: ["x": 1]) }
        #expect(throws: StoreError.self) { try store.note(run: "nope", step: 10, metrics: ["x": 1]) }
        #expect(throws: StoreError.invalidMetricName("bad name")) { try store.note(run: "r", step: 10, metrics: ["bad name": 1]) }
        #expect(try store.checkpoints(run: "r").count == 1)
        #expect(try store.runs().map(\.run) == ["r"])
    }

    @Test("A file with the same tensors as a recorded checkpoint of the run is an alias of it, not a new point")
    func aliasBySameTensors() throws {
        let (dir, store) = try fresh(); defer { try? FileManager.default.removeItem(at: dir) }
        let rows = try Fixtures.layers("c_mixed_f32__st")
        let hashes = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, "xxh64:\($0.name):f32") })
        let a = try Fixtures.file(dir, "epoch=0-step=5.ckpt", bytes: 10)
        let last = try Fixtures.file(dir, "last.ckpt", bytes: 11)
        _ = try store.record(run: "r", root: nil, report: Fixtures.report("c_mixed_f32__st", path: a, step: 5, hashes: hashes),
                             identity: .of(path: a), durationSeconds: 0)
        let outcome = try store.record(run: "r", root: nil,
                                       report: Fixtures.report("c_mixed_f32__st", path: last, step: 5, hashes: hashes),
                                       identity: .of(path: last), durationSeconds: 0)
        guard case .alias(_, let step) = outcome else { Issue.record("expected an alias, got \(outcome)"); return }
        #expect(step == 5)
        let cps = try store.checkpoints(run: "r")
        #expect(cps.count == 1 && cps[0].aliasPaths == [last])
        // Seen again: recorded (as an alias), nothing to do.
        #expect(try store.isRecorded(.of(path: last)))

        // One tensor different: a new point even at the same step — kept and shown, not hidden.
        var other = hashes; other[rows[0].name] = "xxh64:changed"
        let b = try Fixtures.file(dir, "other.ckpt", bytes: 12)
        guard case .inserted = try store.record(run: "r", root: nil,
                                                report: Fixtures.report("c_mixed_f32__st", path: b, step: 5, hashes: other),
                                                identity: .of(path: b), durationSeconds: 0) else {
            Issue.record("different weights must make a row"); return
        }
        #expect(try store.checkpoints(run: "r").map(\.step) == [5, 5])
        // A subset of the tensors is not the same checkpoint either.
        let sub = Dictionary(uniqueKeysWithValues: hashes.dropFirst().map { ($0.key, $0.value) })
        let c = try Fixtures.file(dir, "subset.ckpt", bytes: 13)
        #expect(try store.record(run: "r", root: nil, report: Fixtures.report("c_mixed_f32__st", path: c, step: 6, hashes: sub),
                                 identity: .of(path: c), durationSeconds: 0) != .alias(checkpointID: cps[0].id, step: 5))
    }

    @Test("last.ckpt analysed before the save it copies: the point takes the framework's name, last.ckpt becomes the alias")
    func aliasSwapKeepsTheSteppedName() throws {
        let (dir, store) = try fresh(); defer { try? FileManager.default.removeItem(at: dir) }
        let rows = try Fixtures.layers("c_mixed_f32__st")
        let hashes = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, "xxh64:\($0.name):f32") })
        let last = try Fixtures.file(dir, "last.ckpt", bytes: 11)
        let named = try Fixtures.file(dir, "epoch=0-step=5.ckpt", bytes: 10)
        _ = try store.record(run: "r", root: nil, report: Fixtures.report("c_mixed_f32__st", path: last, step: 5, hashes: hashes),
                             identity: .of(path: last), durationSeconds: 0)
        guard case .alias = try store.record(run: "r", root: nil,
                                             report: Fixtures.report("c_mixed_f32__st", path: named, step: 5, hashes: hashes),
                                             identity: .of(path: named), durationSeconds: 0) else {
            Issue.record("expected an alias"); return
        }
        let cps = try store.checkpoints(run: "r")
        #expect(cps.count == 1 && cps[0].path == named && cps[0].aliasPaths == [last])
        #expect(try store.isRecorded(.of(path: last)) && store.isRecorded(.of(path: named)))
    }

    @Test("A save deleted before analysis is a vanished row: listed, no summary, not a series point")
    func vanishedRow() throws {
        let (dir, store) = try fresh(); defer { try? FileManager.default.removeItem(at: dir) }
        let f = try Fixtures.file(dir, "checkpoint-1", bytes: 10)
        let id = try CheckpointIdentity.of(path: f)
        _ = try store.recordVanished(run: "r", root: nil, step: 1, epoch: nil, stepSource: "name", identity: id)
        let g = try Fixtures.file(dir, "checkpoint-2.safetensors", bytes: 10)
        _ = try store.record(run: "r", root: nil, report: Fixtures.report("c_mixed_f32__st", path: g, step: 2),
                             identity: .of(path: g), durationSeconds: 0)
        let cps = try store.checkpoints(run: "r")
        #expect(cps.map(\.status) == [.vanished, .ok])
        #expect(cps[0].summary == nil && cps[0].stepSource == "name")
        #expect(try store.summarySeries(run: "r", metric: .alpha).map(\.step) == [2])
        #expect(try store.isRecorded(id))
    }

    @Test("A v2 database migrates to v3: rows kept, step_source 'content' becomes 'framework', vanished allowed")
    func migratesFromV2() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.db").path
        let file = try Fixtures.file(dir, "a.safetensors", bytes: 10)
        do {
            let old = try DatabasePool(path: path)
            try Schema.migrator.migrate(old, upTo: "v2-covering-series-index")
            try old.write { db in
                try db.execute(sql: "INSERT INTO runs (name, created_at) VALUES ('r', 0)")
                try db.execute(sql: """
                    INSERT INTO checkpoints (run_id, path, version, step, step_source, file_size, file_mtime_ns,
                        file_inode, file_device, analyzed_at, duration, status)
                    VALUES (1, 'x', 1, 7, 'content', 1, 1, 1, 1, 0, 0, 'ok');
                    INSERT INTO layers (run_id, name) VALUES (1, 'fc');
                    INSERT INTO summaries (checkpoint_id, alpha, layers_analyzed, layers_skipped, layers_failed)
                        VALUES (1, 3.5, 1, 0, 0);
                    """)
            }
        }
        let store = try HistoryStore(path: path)
        let c = try #require(try store.checkpoints(run: "r").first)
        #expect(c.step == 7 && c.stepSource == "framework" && c.summary?.alpha == 3.5 && c.training.isEmpty)
        _ = try store.recordVanished(run: "r", root: nil, step: nil, epoch: nil, stepSource: nil,
                                     identity: .of(path: file))
        #expect(try store.checkpoints(run: "r").map(\.step) == [7, 8])
        let fkProblems = try store.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count }
        #expect(fkProblems == 0)
    }
}

import Analysis
import Foundation
import GRDB
import Metrics
import Testing
@testable import Store

@Suite("Recording checkpoints")
struct RecordTests {
    @Test("Every column of WW's rows and the summary round-trip through SQLite (NaN and ±inf included)")
    func roundTrip() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        for name in ["c_mixed_f32__st", "d_conv2d_64x32x3x3__st__pool-false", "c_mixed_f32__torch"] {
            let f = try Fixtures.file(dir, "\(name).safetensors", bytes: 100)
            var report = try Fixtures.report(name, path: f, step: 10)
            // Failed fits and degenerate layers as WW reports them: alpha -1, NaN, inf, xmax None.
            report.layers[0].status = "failed"; report.layers[0].alpha = -1
            report.layers[0].D = .nan; report.layers[0].xmax = nil
            report.layers[1].logNorm = .infinity; report.layers[1].entropy = -.infinity
            report.layers[1].reason = "non-finite weights"
            report.checkpoint.aliases = ["lm_head": "embed"]
            _ = try store.record(run: name, root: nil, report: report, identity: .of(path: f), durationSeconds: 1.5)
            let (record, back) = try store.layers(run: name, step: nil)
            #expect(try json(back.layers) == json(report.layers))
            #expect(try json(back.summary) == json(report.summary))
            #expect(back.layers[1].logNorm == .infinity)
            #expect(back.layers[0].D.isNaN && back.layers[0].xmax == nil)
            #expect(record.aliases == ["lm_head": "embed"])
            #expect(record.status == .ok && record.step == 10 && record.stepSource == "name")
        }
    }

    @Test("Recording the same identity twice is a no-op and says so")
    func idempotent() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        let f = try Fixtures.file(dir, "m.safetensors", bytes: 64)
        let report = try Fixtures.report("c_mixed_f32__st", path: f, step: 1)
        let id = try CheckpointIdentity.of(path: f)
        guard case .inserted = try store.record(run: "r", root: nil, report: report, identity: id, durationSeconds: 1) else {
            Issue.record("first record must insert"); return
        }
        #expect(try store.isRecorded(id))
        #expect(try store.record(run: "r", root: nil, report: report, identity: id, durationSeconds: 1) == .duplicate)
        #expect(try store.recordError(run: "r", root: nil, path: f, step: 1, epoch: nil, identity: id, error: "x") == .duplicate)
        let counts = try store.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM checkpoints"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM layer_metrics"))
        }
        #expect(counts.0 == 1 && counts.1 == 7)
    }

    @Test("A file rewritten in place with new content is the next version of that path, not a duplicate")
    func rewriteMakesNewVersion() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        let f = try Fixtures.file(dir, "last.ckpt", bytes: 64)
        let first = try CheckpointIdentity.of(path: f)
        _ = try store.record(run: "r", root: nil, report: Fixtures.report("c_mixed_f32__st", path: f, step: nil),
                             identity: first, durationSeconds: 1)
        try Fixtures.file(dir, "last.ckpt", bytes: 96)   // same path, new bytes
        let second = try CheckpointIdentity.of(path: f)
        #expect(second != first)
        #expect(!(try store.isRecorded(second)))
        _ = try store.record(run: "r", root: nil, report: Fixtures.report("e_mixed_bf16__st", path: f, step: nil),
                             identity: second, durationSeconds: 1)
        let cps = try store.checkpoints(run: "r")
        #expect(cps.map(\.version) == [1, 2])
        #expect(cps.map(\.path) == [f, f])
        // No step anywhere: numbered in arrival order, and the store says so.
        #expect(cps.map(\.step) == [0, 1])
        #expect(cps.map(\.stepSource) == ["arrival", "arrival"])
    }

    @Test("A directory checkpoint's identity changes when any file inside is rewritten")
    func directoryIdentity() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let cp = dir.appendingPathComponent("checkpoint-500")
        try FileManager.default.createDirectory(at: cp, withIntermediateDirectories: true)
        try Fixtures.file(cp, "model-00001-of-00002.safetensors", bytes: 100)
        try Fixtures.file(cp, "model-00002-of-00002.safetensors", bytes: 50)
        let a = try CheckpointIdentity.of(path: cp.path)
        #expect(a.size == 150)
        #expect(try CheckpointIdentity.of(path: cp.path) == a)
        try Fixtures.file(cp, "model-00002-of-00002.safetensors", bytes: 60)
        let b = try CheckpointIdentity.of(path: cp.path)
        #expect(b != a && b.size == 160)
        #expect(throws: StoreError.self) { _ = try CheckpointIdentity.of(path: dir.appendingPathComponent("gone").path) }
    }

    @Test("An unreadable checkpoint is recorded with its reason and shows as a gap in the summary series")
    func errorsRecorded() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        let good = try Fixtures.file(dir, "checkpoint-100.safetensors", bytes: 10)
        let bad = try Fixtures.file(dir, "checkpoint-200.safetensors", bytes: 3)
        _ = try store.record(run: "r", root: dir.path, report: Fixtures.report("c_mixed_f32__st", path: good, step: 100),
                             identity: .of(path: good), durationSeconds: 1)
        _ = try store.recordError(run: "r", root: dir.path, path: bad, step: 200, epoch: 2,
                                  identity: .of(path: bad), error: "truncated safetensors header")
        let cps = try store.checkpoints(run: "r")
        #expect(cps.map(\.status) == [.ok, .error])
        #expect(cps[1].error == "truncated safetensors header" && cps[1].summary == nil)
        let series = try store.summarySeries(run: "r", metric: .alpha)
        #expect(series.map(\.step) == [100, 200])
        #expect(!series[0].isGap && series[1].isGap)
        let run = try #require(try store.runs().first)
        #expect(run.checkpoints == 2 && run.errors == 1 && run.firstStep == 100 && run.lastStep == 200)
        #expect(run.root == dir.path)
        // `layers` on the bad step explains instead of printing nothing.
        #expect(throws: StoreError.checkpointFailed(run: "r", step: 200, error: "truncated safetensors header")) {
            _ = try store.layers(run: "r", step: 200)
        }
    }

    @Test("Layer identity is the normalised name: DDP/compile prefixes do not break a series")
    func normalisedLayerIdentity() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        for (i, prefix) in ["", "module.", "_orig_mod."].enumerated() {
            let f = try Fixtures.file(dir, "c\(i).pt", bytes: 10 + i)
            var report = try Fixtures.report("c_mixed_f32__st", path: f, step: i)
            for j in report.layers.indices { report.layers[j].longname = prefix + report.layers[j].longname }
            _ = try store.record(run: "r", root: nil, report: report, identity: .of(path: f), durationSeconds: 0)
        }
        #expect(try store.layerNames(run: "r") == (0..<7).map { "layers.\($0)" })
        #expect(try store.layerSeries(run: "r", layer: "module.layers.3", metric: .alpha).count == 3)
    }
}

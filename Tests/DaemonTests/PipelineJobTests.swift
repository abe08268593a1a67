import Foundation
import Logging
import Store
import TestSupport
import Testing
@testable import Daemon

/// One checkpoint through the daemon's job path (`AnalysisScheduler.process` + `StorePipeline`,
/// what `wwmon ingest` runs too) on real files and a real store: issue 9.1, 9.2, 9.8.
@Suite struct PipelineJobTests {
    func setUp() throws -> (TempDir, HistoryStore, StorePipeline) {
        let tmp = try TempDir()
        let store = try HistoryStore(path: tmp.path + "/h.db")
        var logger = Logger(label: "test"); logger.logLevel = .critical
        return (tmp, store, StorePipeline(store: store, config: DaemonConfig(watches: []), logger: logger))
    }

    func job(_ path: String, kind: CheckpointCandidate.Kind, root: String) -> AnalysisJob {
        let files = kind == .directory ? CheckpointLayout.allFiles(path, depth: 2) : [path]
        let c = CheckpointCandidate(path: path, kind: kind, run: "r", root: root, files: files)
        return AnalysisJob(candidate: c, fingerprint: c.stamps() ?? FileStamps(files: []))
    }

    @Test("files beside the weights arriving late complete the same point; a final save of the same weights is an alias")
    func lateCompanionsAndAlias() async throws {
        let (tmp, store, pipeline) = try setUp(); defer { tmp.cleanup() }
        let run = tmp.sub("bert-lr3e-4")
        let weights = try writeSafetensors(run + "/checkpoint-5/model.safetensors", rows: 64, cols: 32, seed: 3)
        try writeText(run + "/checkpoint-5/config.json", "{}")
        guard case .recorded(let first) = await AnalysisScheduler.process(job(run + "/checkpoint-5", kind: .directory, root: run), pipeline) else {
            Issue.record("first save not recorded"); return
        }
        #expect(first.step == 5)
        #expect(try store.checkpoints(run: "r").map(\.stepSource) == ["name"])

        // trainer_state.json and optimizer.pt after the settle time: the same point, completed.
        try writeText(run + "/checkpoint-5/trainer_state.json", #"{"global_step": 5, "epoch": 0.5, "log_history": []}"#)
        try writeText(run + "/checkpoint-5/optimizer.pt", "not a model")
        let again = await AnalysisScheduler.process(job(run + "/checkpoint-5", kind: .directory, root: run), pipeline)
        #expect(again == .updated(step: 5))
        let rows = try store.checkpoints(run: "r")
        #expect(rows.count == 1 && rows[0].epoch == 0.5 && rows[0].stepSource == "framework")

        // HF's final save_model(): the same tensors in the run folder — an alias, not a new point
        // (and not step 4 from the run folder's name).
        try weights.write(to: URL(fileURLWithPath: run + "/model.safetensors"))
        guard case .recorded(let alias) = await AnalysisScheduler.process(job(run + "/model.safetensors", kind: .file, root: run), pipeline) else {
            Issue.record("final save not handled"); return
        }
        #expect(alias.aliasOf == 5)
        let after = try store.checkpoints(run: "r")
        #expect(after.count == 1 && after[0].aliasPaths == [run + "/model.safetensors"])
    }

    @Test("a save deleted before it was analysed is recorded as vanished at its name's step")
    func vanished() async throws {
        let (tmp, store, pipeline) = try setUp(); defer { tmp.cleanup() }
        let run = tmp.sub("run")
        try writeSafetensors(run + "/checkpoint-10/model.safetensors", rows: 64, cols: 32)
        let j = job(run + "/checkpoint-10", kind: .directory, root: run)
        try FileManager.default.removeItem(atPath: run + "/checkpoint-10")
        #expect(await AnalysisScheduler.process(j, pipeline) == .gone)
        let rows = try store.checkpoints(run: "r")
        #expect(rows.map(\.status) == [.vanished] && rows[0].step == 10 && rows[0].stepSource == "name")
        // Reported twice (a rescan): still one row.
        #expect(await AnalysisScheduler.process(j, pipeline) == .gone)
        #expect(try store.checkpoints(run: "r").count == 1)
    }

    @Test("a torch file with no model weights (HF's optimizer.pt under a weight-like name) is skipped: no row, no alert")
    func noWeightsSkipped() async throws {
        let (tmp, store, pipeline) = try setUp(); defer { tmp.cleanup() }
        let run = tmp.sub("run")
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        // The optimizer.pt transformers wrote in the recorded hf-trainer run (scripts/gen_framework_runs.py).
        let blob = RepositoryPaths.fixtures.appendingPathComponent(
            "frameworks/blobs/d263be42473b338e7e0aa6659cf20ff8e554c15234c8e41888e1aa1d29f678d7")
        try Data(contentsOf: blob).write(to: URL(fileURLWithPath: run + "/state_5.pt"))
        let outcome = await AnalysisScheduler.process(job(run + "/state_5.pt", kind: .file, root: run), pipeline)
        guard case .skipped(let why) = outcome else { Issue.record("expected skipped, got \(outcome)"); return }
        #expect(why.contains("state_5.pt"))
        #expect(try store.runs().isEmpty)
        let alerts = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM alerts") }
        #expect(alerts == 0)
    }
}

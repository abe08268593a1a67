import Foundation
import Logging
import Store
import Testing
@testable import Daemon

/// `[store.retention]` applied by the daemon's maintenance tick (Sources/Daemon/Pipeline/RetentionPass.swift).
@Suite struct RetentionPassTests {
    var logger: Logger { var l = Logger(label: "test"); l.logLevel = .critical; return l }

    func recordSteps(_ steps: [Int], _ tmp: TempDir, _ pipeline: StorePipeline) async throws {
        for s in steps {
            let path = tmp.sub("run/step-\(s).safetensors")
            try writeSafetensors(path, rows: 16, cols: 8, seed: s)
            let c = CheckpointCandidate(path: path, kind: .file, run: "run", root: tmp.sub("run"), files: [path])
            let outcome = await AnalysisScheduler.process(AnalysisJob(candidate: c, fingerprint: c.stamps() ?? FileStamps(files: [])), pipeline)
            guard case .recorded = outcome else { Issue.record("step \(s) not recorded: \(outcome)"); return }
        }
    }

    @Test("maintenance() applies the configured rules: only the last N checkpoints stay")
    func maintenanceApplies() async throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let store = try HistoryStore(path: tmp.path + "/h.db")
        let config = DaemonConfig(store: StoreSettings(retention: RetentionPolicy(keepLast: 2)), watches: [])
        let pipeline = StorePipeline(store: store, config: config, logger: logger)
        try await recordSteps([1, 2, 3, 4], tmp, pipeline)
        await pipeline.maintenance()
        #expect(try store.checkpoints(run: "run").compactMap(\.step).sorted() == [3, 4])
    }

    @Test("a spent time budget stops after one batch; the next pass goes on where it stopped")
    func budgetBoundsOnePass() async throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let store = try HistoryStore(path: tmp.path + "/h.db")
        let pipeline = StorePipeline(store: store, config: DaemonConfig(watches: []), logger: logger)
        try await recordSteps([1, 2, 3, 4, 5], tmp, pipeline)
        let pass = RetentionPass(policy: RetentionPolicy(keepLast: 1), batchSize: 2, budget: .zero)
        let first = pass.run(on: store, now: Date(), logger: logger)
        #expect(first?.batches == 1 && first?.plan.checkpoints.count == 2)
        #expect(try store.checkpoints(run: "run").count == 3)
        _ = pass.run(on: store, now: Date(), logger: logger)
        _ = pass.run(on: store, now: Date(), logger: logger)
        #expect(try store.checkpoints(run: "run").compactMap(\.step) == [5])
        #expect(pass.run(on: store, now: Date(), logger: logger) == nil)
    }
}

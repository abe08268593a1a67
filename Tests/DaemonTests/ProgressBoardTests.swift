import Foundation
import GRDB
import Logging
import Store
import Testing
@testable import Daemon

/// The daemon's view of analyses in progress (Sources/Daemon/Pipeline/ProgressBoard.swift): the
/// STATUS= text and the store rows `wwmon runs` reads, written at most once per interval.
@Suite struct ProgressBoardTests {
    var logger: Logger { var l = Logger(label: "test"); l.logLevel = .critical; return l }

    @Test("the first update is written at once, later ones within the interval only in memory; finish clears both")
    func throttledAndCleared() throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let store = try HistoryStore(path: tmp.path + "/h.db")
        let board = ProgressBoard(store: store, logger: logger, writeInterval: .seconds(3600))
        board.update(run: "r", path: "/runs/r/step-5.safetensors", done: 0, total: 3)
        board.update(run: "r", path: "/runs/r/step-5.safetensors", done: 1, total: 3)
        #expect(board.statusText() == "analysing r/step-5.safetensors 1/3 layers")
        #expect(try store.analysesInProgress().map(\.layersDone) == [0])
        board.finish(path: "/runs/r/step-5.safetensors")
        #expect(board.statusText() == nil)
        #expect(try store.analysesInProgress().isEmpty)
    }

    @Test("a checkpoint analysed by the daemon's pipeline writes a progress row while it runs and none remains")
    func pipelineWritesAndClears() async throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let store = try HistoryStore(path: tmp.path + "/h.db")
        // A trigger logs every row written, so the test sees rows that existed only mid-analysis.
        try store.write { db in
            try db.execute(sql: """
                CREATE TABLE seen (path TEXT, done INTEGER, total INTEGER);
                CREATE TRIGGER log_progress AFTER INSERT ON analysis_progress
                BEGIN INSERT INTO seen VALUES (NEW.path, NEW.layers_done, NEW.layers_total); END;
                """)
        }
        let pipeline = StorePipeline(store: store, config: DaemonConfig(watches: []), logger: logger)
        let path = tmp.sub("run/step-5.safetensors")
        try writeSafetensors(path, rows: 64, cols: 32, seed: 2)
        let c = CheckpointCandidate(path: path, kind: .file, run: "run", root: tmp.sub("run"), files: [path])
        let outcome = await AnalysisScheduler.process(AnalysisJob(candidate: c, fingerprint: c.stamps() ?? FileStamps(files: [])), pipeline)
        guard case .recorded = outcome else { Issue.record("not recorded: \(outcome)"); return }
        let seen = try store.read { db in try Row.fetchAll(db, sql: "SELECT path, done, total FROM seen") }
        #expect(seen.count == 1 && seen.first?["path"] == path && seen.first?["total"] == 1)
        #expect(try store.analysesInProgress().isEmpty)
        #expect(await pipeline.progressStatus() == nil)
    }
}

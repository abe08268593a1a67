import Foundation
import Store
import Testing

/// The `analysis_progress` table (Sources/Store/Progress): rows appear, move on, clear, and
/// rows left by a process that is gone are hidden from readers and removed by the writer.
struct ProgressTests {
    @Test("a progress row appears for readers in another connection, updates in place and clears")
    func appearsAndClears() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("h.db").path
        let writer = try HistoryStore(path: path)
        let reader = try HistoryStore(path: path, readOnly: true)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var p = AnalysisProgress(run: "r", path: "/ckpt/r/step-10", layersDone: 0, layersTotal: 224,
                                 startedAt: start, updatedAt: start)
        try writer.setProgress(p)
        p.layersDone = 12
        try writer.setProgress(p)
        let seen = try reader.analysesInProgress()
        #expect(seen.map(\.layersDone) == [12] && seen.first?.layersTotal == 224 && seen.first?.startedAt == start)
        try writer.clearProgress(path: p.path)
        #expect(try reader.analysesInProgress().isEmpty)
    }

    @Test("rows of a process that has exited are not shown and are removed by clearAbandonedProgress")
    func abandonedRows() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("h.db").path)
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run(); gone.waitUntilExit()
        var dead = AnalysisProgress(run: "r", path: "/a", layersDone: 1, layersTotal: 2, startedAt: Date(), updatedAt: Date())
        dead.pid = gone.processIdentifier
        try store.setProgress(dead)
        try store.setProgress(AnalysisProgress(run: "r", path: "/b", layersDone: 1, layersTotal: 2,
                                               startedAt: Date(), updatedAt: Date()))
        #expect(try store.analysesInProgress().map(\.path) == ["/b"])
        #expect(try store.clearAbandonedProgress() == 1)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM analysis_progress") } == 1)
    }
}

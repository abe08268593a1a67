import Analysis
import Foundation
import GRDB
import Metrics
import TestSupport
import Testing
import TestSupport
@testable import Store

/// Issue 13: the options a checkpoint was analysed with are recorded with it, and a layer's
/// rows under other options (pooled / per-slice / operator conv, fix_fingers) are separate
/// series — never points of one series.
@Suite struct OptionSeriesTests {
    static let model = RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/options/fingers/model.safetensors")

    @Test("pooled, per-slice and operator conv rows are stored and queried as separate series")
    func convModesAreSeparateSeries() async throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        let modes: [WWOptions.Conv] = [.pooled, .slices, .operator, .pooled]
        for (i, mode) in modes.enumerated() {
            // Same weights, one checkpoint file per analysis (a file's identity is recorded once).
            let f = dir.appendingPathComponent("step-\(i).safetensors").path
            try FileManager.default.copyItem(atPath: Self.model.path, toPath: f)
            let options = AnalysisOptions(ww: WWOptions(conv: mode, inputSize: 8),
                                          selection: LayerSelection(include: "^conv$"), concurrency: 1)
            var report = try await Analyzer(options: options).analyze(path: f)
            report.checkpoint.step = i * 10
            _ = try store.record(run: "r", root: nil, report: report, identity: .of(path: f), durationSeconds: 0)
        }
        let names = try store.layerNames(run: "r")
        #expect(Set(names) == Set(["conv", "conv@conv=operator,input_size=8"] + (0..<9).map { "conv#slice\($0)" }))
        let pooled = try store.layerSeries(run: "r", layer: "conv", metric: .numEvals)
        #expect(pooled.map(\.step) == [0, 30] && pooled.allSatisfy { $0.value == 8 * 9 })
        let slice = try store.layerSeries(run: "r", layer: "conv#slice4", metric: .numEvals)
        #expect(slice.map(\.step) == [10] && slice[0].value == 8)
        let op = try store.layerSeries(run: "r", layer: "conv@conv=operator,input_size=8", metric: .numEvals)
        #expect(op.map(\.step) == [20] && op[0].value == 64 * 8)
        let recorded = try store.read { db in
            try String?.fetchAll(db, sql: "SELECT options FROM checkpoints ORDER BY step")
        }
        #expect(recorded[0]?.contains("\"layers\":\"^conv$\"") == true)
        #expect(recorded[2]?.contains("\"conv\":\"operator\"") == true && recorded[2]?.contains("\"input_size\":\"8\"") == true)
    }

    @Test("option columns round-trip through the store; every WWColumns column is a layer_metrics column")
    func optionColumnsRoundTrip() async throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        let f = dir.appendingPathComponent("m.safetensors").path
        try FileManager.default.copyItem(atPath: Self.model.path, toPath: f)
        let options = AnalysisOptions(ww: WWOptions(fixFingers: .clipXmax), concurrency: 1)
        let report = try await Analyzer(options: options).analyze(path: f)
        #expect(report.layers.contains { ($0.numFingers ?? 0) > 0 })
        _ = try store.record(run: "r", root: nil, report: report, identity: .of(path: f), durationSeconds: 0)
        let back = try store.report(of: try store.checkpoint(run: "r", step: nil))!
        #expect(try json(back.layers) == json(report.layers))
        let columns = try store.read { db in Set(try db.columns(in: "layer_metrics").map(\.name)) }
        for c in WWColumns.all { #expect(columns.contains(c.sqlName), "\(c.sqlName)") }
        // fix_fingers rows are their own series.
        #expect(try store.layerNames(run: "r").allSatisfy { $0.hasSuffix("@fix_fingers=clip_xmax") })
    }
}

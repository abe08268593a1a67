import Analysis
import Foundation
import GRDB
import Metrics
import Testing
@testable import Store
import TestSupport

@Suite("History queries")
struct QueryTests {
    /// A run of three checkpoints of the same 7-layer model: WW's f32, bf16 and f16 results.
    static func threeCheckpoints(_ store: HistoryStore, _ dir: URL, run: String = "mixed") throws {
        for (i, name) in ["c_mixed_f32__st", "e_mixed_bf16__st", "e_mixed_f16__st"].enumerated() {
            let f = try Fixtures.file(dir, "\(run)-\(i).safetensors", bytes: 10 + i)
            _ = try store.record(run: run, root: dir.path, report: Fixtures.report(name, path: f, step: (i + 1) * 100),
                                 identity: .of(path: f), durationSeconds: 0.5)
        }
    }

    @Test("A layer series is oldest-first with WW's exact values; --last keeps the newest K")
    func layerSeries() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        try Self.threeCheckpoints(store, dir)
        let expected = try ["c_mixed_f32__st", "e_mixed_bf16__st", "e_mixed_f16__st"].map { try Fixtures.layers($0)[2].alpha }
        let s = try store.layerSeries(run: "mixed", layer: "layers.2", metric: .alpha)
        #expect(s.map(\.step) == [100, 200, 300])
        #expect(s.map(\.value) == expected)
        let last2 = try store.layerSeries(run: "mixed", layer: "layers.2", metric: .alpha, last: 2)
        #expect(last2.map(\.step) == [200, 300])
        let after = try store.layerSeries(run: "mixed", layer: "layers.2", metric: .alpha, afterCheckpointID: s[0].checkpointID)
        #expect(after.map(\.step) == [200, 300])
        #expect(throws: StoreError.self) { _ = try store.layerSeries(run: "mixed", layer: "nope", metric: .alpha) }
        do { _ = try store.layerSeries(run: "mixed", layer: "nope", metric: .alpha) } catch {
            #expect("\(error)".contains("layers.0, layers.1"))
        }
    }

    @Test("Summary series equal WW's get_summary() means; all-layer series group by layer")
    func summaryAndAllLayers() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        try Self.threeCheckpoints(store, dir)
        struct WWSummary: Decodable { var summary: [String: Double] }
        let ww = try JSONDecoder().decode(WWSummary.self, from:
            ReferenceFixtures.expectedData("c_mixed_f32__st", "summary")).summary
        for m in [SummaryMetric.alpha, .alphaWeighted, .logSpectralNorm, .logNorm, .stableRank, .logAlphaNorm] {
            let v = try store.summarySeries(run: "mixed", metric: m).first!.value
            #expect(abs(v - ww[m.rawValue]!) <= 1e-12 * max(1, abs(v)), "\(m)")
        }
        #expect(try store.summarySeries(run: "mixed", metric: .layersAnalyzed).map(\.value) == [7, 7, 7])
        let all = try store.allLayerSeries(run: "mixed", metric: .alphaWeighted, last: 2)
        #expect(all.map(\.layer) == (0..<7).map { "layers.\($0)" })
        #expect(all.allSatisfy { $0.points.map(\.step) == [200, 300] })
    }

    @Test("compare within a run sorts layers by |delta|; across runs of different depth it reports both depths")
    func compare() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        try Self.threeCheckpoints(store, dir)
        let c = try store.compare(run: "mixed", from: 100, to: 300)
        #expect(c.deltas.count == 7 && !c.crossRun && !c.differentDepth)
        let mags = c.deltas.map { abs($0.delta) }
        #expect(mags == mags.sorted(by: >))
        let f32 = try Fixtures.layers("c_mixed_f32__st"), f16 = try Fixtures.layers("e_mixed_f16__st")
        let top = c.deltas[0]
        let i = Int(top.layer.split(separator: ".").last!)!
        #expect(top.from == f32[i].alpha && top.to == f16[i].alpha)
        // Default: first -> latest.
        #expect(try store.compare(run: "mixed").from.step == 100)

        let f = try Fixtures.file(dir, "shallow.safetensors", bytes: 1)
        _ = try store.record(run: "shallow", root: nil, report: Fixtures.report("a_gaussian_1000x500__st", path: f, step: 5),
                             identity: .of(path: f), durationSeconds: 0)
        let x = try store.compare(run: "mixed", otherRun: "shallow")
        #expect(x.crossRun && x.differentDepth && x.depthFrom == 7 && x.depthTo == 1)
        #expect(x.deltas.isEmpty && x.onlyInFrom.count == 7 && x.onlyInTo.count == 1)
        #expect(throws: StoreError.unknownStep(run: "mixed", step: 150, known: [100, 200, 300])) {
            _ = try store.compare(run: "mixed", from: 150)
        }
    }

    @Test("Stored tensor hashes give back the newest prior rows for reuse (all slices of a conv layer)")
    func reuseByHash() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        let f1 = try Fixtures.file(dir, "1.st", bytes: 1), f2 = try Fixtures.file(dir, "2.st", bytes: 2)
        _ = try store.record(run: "ft", root: nil,
                             report: Fixtures.report("c_mixed_f32__st", path: f1, step: 1, hashes: ["layers.0": "h0", "layers.1": "h1"]),
                             identity: .of(path: f1), durationSeconds: 0)
        _ = try store.record(run: "ft", root: nil,
                             report: Fixtures.report("d_conv2d_64x32x3x3__st__pool-false", path: f2, step: 2, hashes: ["conv": "hc"]),
                             identity: .of(path: f2), durationSeconds: 0)
        let got = try store.layerReports(forHashes: ["h1", "hc", "unknown"])
        #expect(Set(got.keys) == ["h1", "hc"])
        #expect(try json(got["h1"]!) == json([Fixtures.layers("c_mixed_f32__st")[1]]))
        let conv = try Fixtures.layers("d_conv2d_64x32x3x3__st__pool-false").filter { $0.name == "conv" }
        #expect(try json(got["hc"]!) == json(conv))
        #expect(conv.count > 1)
        // Round trip of the hashes through `layers --json`.
        #expect(try store.layers(run: "ft", step: 1).1.checkpoint.tensorHashes == ["layers.0": "h0", "layers.1": "h1"])
    }

    @Test("Readers in their own connection see whole checkpoints only while a writer keeps recording")
    func readersWhileWriting() async throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("w.db").path
        let writer = try HistoryStore(path: path)
        let files = try (0..<40).map { try Fixtures.file(dir, "ck-\($0)", bytes: $0 + 1) }
        let report = try Fixtures.report("c_mixed_f32__st", path: "", step: nil)
        let writing = Task.detached {
            for f in files {
                var r = report; r.checkpoint.path = f
                _ = try writer.record(run: "live", root: nil, report: r, identity: .of(path: f), durationSeconds: 0)
            }
        }
        let reader = try HistoryStore(path: path, readOnly: true)
        var observed = Set<Int>()
        while observed.max() != 40 {
            let counts = try reader.read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM checkpoints") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM layer_metrics") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM summaries") ?? 0)
            }
            #expect(counts.1 == counts.0 * 7 && counts.2 == counts.0, "torn read: \(counts)")
            observed.insert(counts.0)
            if counts.0 > 0 { _ = try reader.summarySeries(run: "live", metric: .alpha) }
            await Task.yield()
        }
        try await writing.value
        #expect(try reader.checkpoints(run: "live").count == 40)
    }
}

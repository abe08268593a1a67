import Analysis
import Foundation
import Metrics
import Store
import Testing
@testable import Web

/// The dashboard's /rank page, rendered from a real store: constructed reports with known
/// ranks and a known paradox, training metrics attached as `wwmon note` does.
@Suite("Rank page")
struct RankPageTests {
    static func report(_ shapes: [(Int, Int)], alpha: Double, aw: Double, lsn: Double) -> CheckpointReport {
        let rows = shapes.enumerated().map { i, s in
            LayerReport(layerID: i, name: "layers.\(i)", longname: "layers.\(i).weight", layerType: "dense", N: s.0, M: s.1,
                        rf: 1, Q: Double(s.0) / Double(s.1), numEvals: s.1, svMax: 1, svMin: 0.1, rankLoss: 0, weakRankLoss: 0,
                        lambdaMax: 1, alpha: alpha, xmin: 0.1, xmax: 1, D: 0.05, sigma: 0.1, numPLSpikes: 3,
                        status: "success", warning: "", norm: 1, logNorm: 2, spectralNorm: 1, logSpectralNorm: lsn,
                        alphaWeighted: aw, logAlphaNorm: 1, stableRank: 2, matrixRank: s.1, entropy: 0.9)
        }
        return CheckpointReport(layers: rows, summary: Summary(rows: rows, skipped: 0),
                                checkpoint: CheckpointInfo(path: "x", format: "safetensors", step: 100))
    }

    @Test("/rank shows ranked runs with links, the scatter figure with one fit per group, correlations and the paradox")
    func page() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-rank-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        // Within each architecture a larger ⟨log_spectral_norm⟩ goes with lower accuracy; the
        // deeper one has larger norms and higher accuracy: pooled, the sign flips.
        let runs: [(String, [(Int, Int)], Double, Double)] = [
            ("a1", [(64, 32), (10, 32)], 1, 0.80), ("a2", [(64, 32), (10, 32)], 2, 0.79), ("a3", [(64, 32), (10, 32)], 3, 0.78),
            ("b1", [(64, 32), (32, 32), (10, 32)], 11, 0.95), ("b2", [(64, 32), (32, 32), (10, 32)], 12, 0.94),
            ("b3", [(64, 32), (32, 32), (10, 32)], 13, 0.93)]
        for (i, r) in runs.enumerated() {
            let file = dir.appendingPathComponent("\(r.0).safetensors")
            try Data(repeating: 1, count: 10 + i).write(to: file)
            _ = try store.record(run: r.0, root: nil, report: Self.report(r.1, alpha: 2 + Double(i % 3) * 0.5, aw: Double(i), lsn: r.2),
                                 identity: .of(path: file.path), durationSeconds: 0)
            try store.note(run: r.0, step: 100, metrics: ["test_accuracy": r.3])
            try store.setTags(run: r.0, ["lr": ["0.1", "0.03", "0.01"][i % 3]], source: .user)
        }
        let html = try RankPage.render(store: store, query: Query(values: ["metric": ["log_spectral_norm"]]))
        #expect(html.contains("<a href=\"/run?run=a1\">a1</a>"))
        #expect(html.components(separatedBy: "class=\"fit\"").count - 1 == 2)
        #expect(html.contains("Simpson's paradox: ⟨log_spectral_norm⟩ vs test_accuracy"))
        #expect(html.contains("<td class=\"l\">log_spectral_norm</td><td class=\"l\">pooled</td><td>6</td>"))
        #expect(html.contains("option value=\"lr\""))  // group by a tag is offered

        let byTag = try RankPage.render(store: store, query: Query(values: ["group-by": ["lr"]]))
        #expect(byTag.contains("lr=0.03") && byTag.contains("lr=0.1"))
        let none = try RankPage.render(store: store, query: Query(values: ["tag": ["lr=7"]]))
        #expect(none.contains("no run has the tags lr=7"))
        #expect(throws: WebError.self) { try RankPage.render(store: store, query: Query(values: ["metric": ["x"]])) }
    }
}

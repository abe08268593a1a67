import Analysis
import Foundation
import Metrics
import Testing

/// The promise: on every reference case, default and pool = false, every column equals
/// WeightWatcher 0.7.7's own output. Tolerances (stated by issue 2): numeric columns within
/// 1e-6 relative, or 1e-9 absolute near zero; integer and string columns exactly equal.
/// One exception, stated: a singular value at float32 round-off level of a rank-deficient
/// layer (c_mixed_f32 layers.4, sv_min ≈ 8.7e-9 with σ_max ≈ 1e1) is noise in both programs;
/// it is compared absolutely at 1e-6 (as the reference README advises), and must stay below the
/// rank tolerance so matrix_rank/rank_loss (compared exactly) agree.
@Suite struct WeightWatcherFidelityTests {
    static let intColumns = ["layer_id", "N", "M", "rf", "num_evals", "rank_loss", "weak_rank_loss",
                             "num_pl_spikes", "matrix_rank", "slice_id"]
    static let stringColumns = ["name", "longname", "layer_type", "status", "warning"]
    static let floatColumns = ["Q", "sv_max", "sv_min", "lambda_max", "alpha", "xmin", "xmax", "D", "sigma",
                               "norm", "log_norm", "spectral_norm", "log_spectral_norm", "alpha_weighted",
                               "log_alpha_norm", "stable_rank", "entropy"]

    static func close(_ want: Double, _ got: Double) -> Bool {
        if want == got { return true }
        if abs(want) < 1e-9 || abs(got) < 1e-9 { return abs(want - got) <= 1e-9 }
        return abs(want - got) <= 1e-6 * max(abs(want), abs(got))
    }

    @Test("every column of every reference case equals WW 0.7.7", arguments: ReferenceCases.all.indices)
    func matchesWeightWatcher(_ index: Int) async throws {
        let (name, stem, pool) = ReferenceCases.all[index]
        let report = try await Analyzer(options: AnalysisOptions(pool: pool)).analyze(path: ReferenceCases.model(name))
        let expected = try ReferenceCases.expectedLayers(stem)
        #expect(report.layers.count == expected.count, "\(stem): row count")
        let got = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report.layers)) as! [[String: Any]]
        for (e, g) in zip(expected, got) {
            let where_ = "\(stem) \(e["name"] ?? "?")"
            for c in Self.stringColumns { #expect(e[c] as? String == g[c] as? String, "\(where_).\(c)") }
            for c in Self.intColumns where e[c] != nil {
                #expect((e[c] as? NSNumber)?.intValue == (g[c] as? NSNumber)?.intValue, "\(where_).\(c)")
            }
            if !pool { #expect((g["slice_id"] as? NSNumber)?.intValue == (e["slice_id"] as? NSNumber)?.intValue ?? 0) }
            else { #expect(g["slice_id"] == nil) }
            for c in Self.floatColumns {
                let w = (e[c] as? NSNumber)?.doubleValue, v = (g[c] as? NSNumber)?.doubleValue
                guard let w, let v else { #expect(w == nil && v == nil, "\(where_).\(c) null"); continue }
                if c == "sv_min" && w < 1e-6 {
                    #expect(abs(w - v) < 1e-6, "\(where_).sv_min \(w) vs \(v)")
                    continue
                }
                #expect(Self.close(w, v), "\(where_).\(c): WW \(w), wwmon \(v)")
            }
        }
        let summary = try ReferenceCases.expectedSummary(stem)
        let mine = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report.summary)) as! [String: Any]
        for (k, w) in summary {
            #expect(Self.close(w, (mine[k] as? NSNumber)?.doubleValue ?? .nan), "\(stem) summary.\(k)")
        }
    }

    @Test("dgesdd everywhere (--exact-svd) gives the same numbers", arguments: [7, 8])
    func exactPathAgrees(_ index: Int) async throws {
        let (name, stem, pool) = ReferenceCases.all[index]
        let gram = try await Analyzer(options: AnalysisOptions(pool: pool)).analyze(path: ReferenceCases.model(name))
        let exact = try await Analyzer(options: AnalysisOptions(pool: pool, method: .gesdd))
            .analyze(path: ReferenceCases.model(name))
        for (a, b) in zip(gram.layers, exact.layers) {
            #expect(Self.close(a.alpha, b.alpha) && a.matrixRank == b.matrixRank, "\(stem) \(a.name)")
        }
    }
}

import Analysis
import Foundation
import Metrics
import Testing

/// `wwmon tag` and `wwmon rank` as the real binary, on a store filled by `wwmon ingest` (with
/// constructed reports, so every expected rank and sign is known) and `wwmon note`.
@Suite("wwmon tag / rank")
struct RankCommandTests {
    /// A layer of shape n × m whose metrics are the run's values (summary means equal them).
    static func layer(_ i: Int, n: Int, m: Int, alpha: Double, aw: Double, lsn: Double, ln: Double) -> LayerReport {
        LayerReport(layerID: i, name: "layers.\(i)", longname: "layers.\(i).weight", layerType: "dense", N: n, M: m,
                    rf: 1, Q: Double(n) / Double(m), numEvals: m, svMax: 1, svMin: 0.1, rankLoss: 0, weakRankLoss: 0,
                    lambdaMax: 1, alpha: alpha, xmin: 0.1, xmax: 1, D: 0.05, sigma: 0.1, numPLSpikes: 3,
                    status: "success", warning: "", norm: 1, logNorm: ln, spectralNorm: 1, logSpectralNorm: lsn,
                    alphaWeighted: aw, logAlphaNorm: 1, stableRank: 2, matrixRank: m, entropy: 0.9)
    }

    static let shallow = [(64, 32), (32, 32), (10, 32)]
    static let deep = [(64, 32), (32, 32), (32, 32), (10, 32)]

    /// (run, shapes, step, alpha, alpha_weighted, log_spectral_norm, test_accuracy, lr tag).
    /// Within each architecture a larger ⟨log_spectral_norm⟩ goes with lower accuracy; the deep
    /// runs have larger norms and higher accuracy: pooled, the sign flips (Simpson's paradox).
    static let runs: [(String, [(Int, Int)], Int, Double, Double, Double, Double, String)] = [
        ("a1", shallow, 100, 2.5, 1.5, 1.0, 0.80, "0.1"),
        ("a2", shallow, 100, 3.0, 2.5, 2.0, 0.79, "0.03"),
        ("a3", shallow, 100, 3.5, 3.5, 3.0, 0.78, "0.01"),
        ("b1", deep, 100, 2.2, 1.0, 11.0, 0.95, "0.1"),
        ("b2", deep, 100, 2.8, 2.0, 12.0, 0.94, "0.03"),
        ("b3", deep, 100, 3.4, 3.0, 13.0, 0.93, "0.01"),
        // Along run a1: alpha falls while accuracy rises.
        ("a1", shallow, 10, 4.0, 4.0, 1.0, 0.50, "0.1"),
        ("a1", shallow, 20, 3.2, 3.0, 1.0, 0.70, "0.1"),
    ]

    static func populated(_ dir: URL) throws -> String {
        let db = dir.appendingPathComponent("w.db").path
        for (i, r) in runs.enumerated() {
            let rows = r.1.enumerated().map { layer($0.offset, n: $0.element.0, m: $0.element.1,
                                                     alpha: r.3, aw: r.4, lsn: r.5, ln: 2) }
            let report = CheckpointReport(layers: rows, summary: Summary(rows: rows, skipped: 0),
                                          checkpoint: CheckpointInfo(path: "x", format: "safetensors"))
            let reportURL = dir.appendingPathComponent("r\(i).json")
            try JSONEncoder().encode(report).write(to: reportURL)
            let f = try StoreCLI.file(dir, "\(r.0)-checkpoint-\(r.2).safetensors", bytes: 10 + i)
            let ingest = try StoreCLI.run(["ingest", f, "--run", r.0, "--step", "\(r.2)", "--report", reportURL.path, "--db", db])
            #expect(ingest.status == 0, "\(ingest.stderr)")
            let note = try StoreCLI.run(["note", r.0, "--step", "\(r.2)", "test_accuracy=\(r.6)", "--db", db])
            #expect(note.status == 0, "\(note.stderr)")
            let tag = try StoreCLI.run(["tag", r.0, "lr=\(r.7)", "--db", db])
            #expect(tag.status == 0, "\(tag.stderr)")
        }
        return db
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("rank --json: the issue's shape; ranks by ⟨alpha⟩ in group and ⟨alpha_weighted⟩ overall; correlations with counts; the paradox flagged")
    func jsonShapeRanksAndParadox() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Self.populated(dir)
        let r = try StoreCLI.run(["rank", "--json", "--db", db])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try Self.object(r.stdout)
        #expect(Set(doc.keys) == ["runs", "correlations", "paradox"])
        let runs = try #require(doc["runs"] as? [[String: Any]])
        #expect(runs.count == 6)
        for run in runs {
            #expect(Set(run.keys) == ["run", "group", "step", "alpha", "alpha_weighted", "log_spectral_norm",
                                      "log_norm", "training", "rank_in_group", "rank_overall"])
        }
        let byName = Dictionary(uniqueKeysWithValues: runs.map { ($0["run"] as! String, $0) })
        // Two architectures, found from the recorded layer shapes alone.
        let groupA = try #require(byName["a1"]?["group"] as? String), groupB = try #require(byName["b1"]?["group"] as? String)
        #expect(groupA.hasPrefix("3L-") && groupB.hasPrefix("4L-"))
        #expect(byName["a3"]?["group"] as? String == groupA && byName["b2"]?["group"] as? String == groupB)
        #expect(byName["a1"]?["step"] as? Int == 100)  // latest, not the earlier a1 checkpoints
        #expect(["a1", "a2", "a3"].map { byName[$0]?["rank_in_group"] as? Int } == [1, 2, 3])
        #expect(["b1", "a1", "b2", "a2", "b3", "a3"].map { byName[$0]?["rank_overall"] as? Int } == [1, 2, 3, 4, 5, 6])
        #expect((byName["b1"]?["training"] as? [String: Any])?["test_accuracy"] as? Double == 0.95)

        let cs = try #require(doc["correlations"] as? [[String: Any]])
        for c in cs { #expect(Set(c.keys) == ["metric", "target", "scope", "n", "spearman", "kendall"]) }
        func corr(_ metric: String, _ scope: String) -> [String: Any]? {
            cs.first { $0["metric"] as? String == metric && $0["scope"] as? String == scope }
        }
        let pooled = try #require(corr("log_spectral_norm", "pooled"))
        #expect(pooled["n"] as? Int == 6 && pooled["target"] as? String == "test_accuracy")
        #expect((pooled["spearman"] as? Double ?? 0) > 0)
        #expect(corr("log_spectral_norm", groupA)?["spearman"] as? Double == -1)
        #expect(corr("log_spectral_norm", groupB)?["kendall"] as? Double == -1)
        #expect(corr("alpha", groupA)?["n"] as? Int == 3)
        // Along run a1's three checkpoints: alpha fell while accuracy rose.
        let along = try #require(corr("alpha", "along:a1"))
        #expect(along["n"] as? Int == 3 && along["spearman"] as? Double == -1)

        let paradox = try #require(doc["paradox"] as? [[String: Any]])
        let lsn = try #require(paradox.first { $0["metric"] as? String == "log_spectral_norm" })
        #expect(Set(lsn.keys) == ["metric", "target", "pooled", "within"])
        #expect((lsn["pooled"] as? Double ?? 0) > 0)
        #expect((lsn["within"] as? [String: Double]) == [groupA: -1, groupB: -1])
        // alpha is negative within both groups and pooled: no paradox.
        #expect(!paradox.contains { $0["metric"] as? String == "alpha" })
    }

    @Test("rank filters (--tag, --group, RUNS, --at step), --group-by a tag, CSV header, SVG file, table text")
    func filtersAndFormats() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Self.populated(dir)
        func runs(_ args: [String]) throws -> [String] {
            let r = try StoreCLI.run(["rank", "--json", "--db", db] + args)
            #expect(r.status == 0, "\(r.stderr)")
            return try (Self.object(r.stdout)["runs"] as? [[String: Any]] ?? []).map { $0["run"] as! String }
        }
        #expect(try runs(["--tag", "lr=0.1"]).sorted() == ["a1", "b1"])
        #expect(try runs(["a2", "b3"]).sorted() == ["a2", "b3"])
        let groupB = try #require(try Self.object(StoreCLI.run(["rank", "b1", "--json", "--db", db]).stdout)["runs"]
            .flatMap { ($0 as? [[String: Any]])?.first?["group"] as? String })
        #expect(try runs(["--group", groupB]).sorted() == ["b1", "b2", "b3"])
        // --at step 20: each run's newest checkpoint at or before step 20; runs without one are left out.
        let at = try StoreCLI.run(["rank", "--at", "step", "20", "--json", "--db", db])
        let atRuns = try Self.object(at.stdout)["runs"] as? [[String: Any]] ?? []
        #expect(atRuns.map { $0["run"] as? String } == ["a1"] && atRuns.first?["step"] as? Int == 20)
        #expect(at.stderr.contains("run b1 has no analysed checkpoint"), "\(at.stderr)")
        // Grouped by the lr tag instead of the architecture.
        let byTag = try Self.object(StoreCLI.run(["rank", "--group-by", "lr", "--json", "--db", db]).stdout)
        #expect(Set((byTag["runs"] as? [[String: Any]] ?? []).compactMap { $0["group"] as? String })
                == ["lr=0.1", "lr=0.03", "lr=0.01"])

        let csv = try StoreCLI.run(["rank", "--csv", "--db", db])
        #expect(csv.stdout.hasPrefix("run,group,step,alpha,alpha_weighted,log_spectral_norm,log_norm,rank_in_group,rank_overall,training.test_accuracy\n"))
        #expect(csv.stdout.split(separator: "\n").count == 7)

        let svg = dir.appendingPathComponent("lsn.svg").path
        let plot = try StoreCLI.run(["rank", "--svg", svg, "--svg-metric", "log_spectral_norm", "--db", db])
        #expect(plot.status == 0, "\(plot.stderr)")
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(text.components(separatedBy: "<circle cx").count - 1 == 6 + 2)  // 6 runs + 2 legend dots
        #expect(text.components(separatedBy: "class=\"fit\"").count - 1 == 2)
        #expect(plot.stdout.contains("Simpson's paradox: ⟨log_spectral_norm⟩ vs test_accuracy"))
        #expect(plot.stdout.contains("Within a group (one architecture"))

        let tags = try StoreCLI.run(["tag", "b2", "--db", db])
        #expect(tags.status == 0 && tags.stdout == "lr=0.03\n", "\(tags.stdout)")
    }

    @Test("Bad input: unknown run (exit 1, names the known runs), malformed tag and --at (exit 2)")
    func errors() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Self.populated(dir)
        let unknown = try StoreCLI.run(["rank", "nosuch", "--db", db])
        #expect(unknown.status == 1 && unknown.stderr.contains("Unknown run \"nosuch\"") && unknown.stderr.contains("a1"))
        let badTag = try StoreCLI.run(["tag", "a1", "novalue", "--db", db])
        #expect(badTag.status == 2 && badTag.stderr.contains("not key=value"), "\(badTag.stderr)")
        let badAt = try StoreCLI.run(["rank", "--at", "step", "x", "--db", db])
        #expect(badAt.status == 2 && badAt.stderr.contains("--at takes latest"), "\(badAt.stderr)")
        let noGroup = try StoreCLI.run(["rank", "--group", "9L-00000000", "--db", db])
        #expect(noGroup.status == 1 && noGroup.stderr.contains("groups: 3L-"), "\(noGroup.stderr)")
        let noTag = try StoreCLI.run(["rank", "--tag", "lr=7", "--db", db])
        #expect(noTag.status == 1 && noTag.stderr.contains("no run has the tags lr=7"), "\(noTag.stderr)")
        let tagUnknown = try StoreCLI.run(["tag", "nosuch", "k=v", "--db", db])
        #expect(tagUnknown.status == 1 && tagUnknown.stderr.contains("Unknown run"))
    }
}

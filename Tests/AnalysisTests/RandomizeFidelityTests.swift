import Analysis
import Checkpoint
import Foundation
import Metrics
import Testing

/// Issue 13, randomize: WW shuffles with numpy's unseeded global generator, so (1) with WW's own
/// permutations replayed into wwmon (recorded by scripts/gen_ww_options.py from the very
/// np.random.shuffle calls WW made), every column equals WW's; (2) with wwmon's seeded
/// generator, the random columns over 40 seeds have the same distribution as WW's over 40
/// numpy seeds (two-sample Kolmogorov–Smirnov, α = 0.001; both sides fixed, so not flaky).
@Suite struct RandomizeFidelityTests {
    static let folder = WWOptionsFidelityTests.folder
    static let model = folder.appendingPathComponent("randomize/model.safetensors").path

    /// Replays recorded permutations, in call order.
    struct Replay: PermutationSource {
        var perms: [[Int]]
        var next = 0
        mutating func permutation(count: Int) -> [Int] {
            let p = perms[next]; next += 1
            precondition(p.count == count, "permutation \(next - 1): \(p.count) values for \(count) entries")
            return p
        }
    }

    static func decode(_ b64: String) -> [Int] {
        let d = Data(base64Encoded: b64)!
        return stride(from: 0, to: d.count, by: 2).map { Int(d[$0]) | Int(d[$0 + 1]) << 8 }
    }

    @Test("with WW's permutations, every randomize column equals WW 0.7.7's", arguments: 0..<5)
    func matchesWithWWsPermutations(_ id: Int) throws {
        let exp = try WWOptionsFidelityTests.expected("randomize_\(id)")
        let want = (exp["layers"] as! [[String: Any]])[0]
        let name = want["name"] as! String
        let contents = try CheckpointReader.open(Self.model)
        let t = try #require(contents.tensors.first { $0.name == name + ".weight" })
        let plan = try LayerPlanning.plan(name: t.name, shape: t.shape, isFloat: true, dtypeName: t.dtype.rawValue,
                                          layerID: id).get()
        let replay = Replay(perms: (exp["permutations"] as! [String]).map(Self.decode))
        let total = replay.perms.count
        let rows = LayerMetrics.analyze(plan, weights: try TensorReader().readFloat64(t),
                                        options: WWOptions(randomize: true), permutations: replay)
        let got = try JSONSerialization.jsonObject(with: JSONEncoder().encode(rows)) as! [[String: Any]]
        #expect(got.count == 1)
        for c in (exp["columns"] as! [String]) where c != "has_esd" {
            let col = try #require(WWColumns.named(c), "\(c) not in WWColumns")
            switch col.kind {
            case .text: #expect(want[c] as? String == got[0][c] as? String, "\(name).\(c)")
            case .int: #expect((want[c] as? NSNumber)?.intValue == (got[0][c] as? NSNumber)?.intValue, "\(name).\(c)")
            case .real:
                let a = (want[c] as? NSNumber)?.doubleValue, b = (got[0][c] as? NSNumber)?.doubleValue
                guard let a, let b else { #expect(a == nil && b == nil, "\(name).\(c) null"); continue }
                #expect(WeightWatcherFidelityTests.close(a, b), "\(name).\(c): WW \(a), wwmon \(b)")
            }
        }
        #expect(total == (plan.M * plan.rf < 100 ? 6 : 2) * plan.rf, "WW's shuffle count: 5 + 1 or 1 + 1 per matrix")
        if name == "trap" { #expect((want["num_traps"] as! NSNumber).intValue > 0, "the reference has traps") }
    }

    /// Largest gap between two empirical CDFs.
    static func ks(_ a: [Double], _ b: [Double]) -> Double {
        let xs = (a + b).sorted()
        let sa = a.sorted(), sb = b.sorted()
        func cdf(_ s: [Double], _ x: Double) -> Double { Double(s.filter { $0 <= x }.count) / Double(s.count) }
        return xs.map { abs(cdf(sa, $0) - cdf(sb, $0)) }.max() ?? 0
    }

    @Test("wwmon's seeded shuffles: the random columns are distributed as WW's over 40 seeds")
    func distributionOverSeeds() async throws {
        let exp = try WWOptionsFidelityTests.expected("randomize_seeds")
        let layers = exp["layers"] as! [String: [String: [Any]]]
        var mine: [String: [String: [Double]]] = [:]
        let names = layers.keys.sorted()
        for seed in 0..<40 {
            let options = AnalysisOptions(ww: WWOptions(randomize: true, seed: UInt64(seed)),
                                          selection: LayerSelection(include: "^(" + names.joined(separator: "|") + ")$"),
                                          concurrency: 2)
            let report = try await Analyzer(options: options).analyze(path: Self.model)
            for r in report.layers {
                for c in layers[r.name]!.keys { mine[r.name, default: [:]][c, default: []].append(r[column: c]!.double!) }
            }
        }
        // Critical KS distance for n = m = 40 at α = 0.001: 1.95·√(2/40).
        let critical = 1.95 * (2.0 / 40).squareRoot()
        for name in names {
            for (c, values) in layers[name]! {
                let theirs = values.map { ($0 as! NSNumber).doubleValue }
                let ours = mine[name]![c]!
                #expect(ours.count == 40)
                if Set(theirs).count == 1 && Set(ours).count == 1 {
                    #expect(theirs[0] == ours[0], "\(name).\(c): constant \(theirs[0]) vs \(ours[0])")
                    continue
                }
                let d = Self.ks(theirs, ours)
                #expect(d < critical, "\(name).\(c): KS distance \(d) ≥ \(critical)")
            }
        }
        // Different seeds really draw different shuffles; the same seed the same ones.
        #expect(Set(mine[names[0]]!["rand_distance"]!).count > 30)
    }
}

import Analysis
import Foundation
import Metrics
import Testing

/// Issue 13: with WeightWatcher's non-default options, every column equals WW 0.7.7's own
/// output (scripts/gen_ww_options.py: the weights in Tests/Fixtures/options/fingers/ and
/// `analyze(model=<folder>, **kwargs)` for each case). 1e-6 relative on numbers (1e-9 absolute
/// near zero), integers and strings exact, and the same set of rows (layer selection).
@Suite struct WWOptionsFidelityTests {
    static let folder = ReferenceCases.repoRoot.appendingPathComponent("Tests/Fixtures/options")

    static func expected(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent("expected/\(name).ww.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// wwmon's options for WW's kwargs of a case.
    static func options(_ kwargs: [String: Any]) -> AnalysisOptions {
        var ww = WWOptions()
        var sel = LayerSelection()
        if let f = kwargs["fix_fingers"] as? String { ww.fixFingers = WWOptions.FixFingers(rawValue: f)! }
        if kwargs["mp_fit"] as? Bool == true { ww.mpFit = true }
        if kwargs["pool"] as? Bool == false { ww.conv = .slices }
        if let n = kwargs["min_evals"] as? Int { sel.minEvals = n }
        if let n = kwargs["max_evals"] as? Int { sel.maxEvals = n }
        if let ids = kwargs["layers"] as? [Int] { sel.layerIDs = ids }
        if let names = kwargs["layers"] as? [String] {
            // WW matches names exactly: the same as an anchored alternation.
            sel.include = "^(" + names.joined(separator: "|") + ")$"
        }
        return AnalysisOptions(ww: ww, selection: sel, concurrency: 2)
    }

    static let cases = ["default", "clip_xmax", "mp_fit", "pool_false_mp_fit", "min_evals_40", "max_evals_50", "layer_ids_keep",
                        "layer_ids_drop", "layer_names"]

    @Test("every column WW 0.7.7 writes with the option equals wwmon's", arguments: cases)
    func matchesWeightWatcher(_ name: String) async throws {
        let exp = try Self.expected(name)
        let report = try await Analyzer(options: Self.options(exp["kwargs"] as! [String: Any]))
            .analyze(path: Self.folder.appendingPathComponent("fingers/model.safetensors").path)
        let want = exp["layers"] as! [[String: Any]]
        let got = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report.layers)) as! [[String: Any]]
        // Rows by name and conv slice (WW's slice_id, pool = False).
        func key(_ r: [String: Any]) -> String { "\(r["name"] as! String)#\((r["slice_id"] as? NSNumber)?.intValue ?? 0)" }
        let byName = Dictionary(uniqueKeysWithValues: got.map { (key($0), $0) })
        #expect(Set(byName.keys) == Set(want.map(key)), "\(name): the same layers")
        let columns = (exp["columns"] as! [String]).filter { $0 != "has_esd" }
        for w in want {
            let layer = key(w)
            guard let g = byName[layer] else { continue }
            for c in columns {
                guard let col = WWColumns.named(c) else { Issue.record("\(c): not in WWColumns"); continue }
                let where_ = "\(name) \(layer).\(c)"
                switch col.kind {
                case .text: #expect(w[c] as? String == g[c] as? String, "\(where_)")
                case .int: #expect((w[c] as? NSNumber)?.intValue == (g[c] as? NSNumber)?.intValue, "\(where_)")
                case .real:
                    let a = (w[c] as? NSNumber)?.doubleValue, b = (g[c] as? NSNumber)?.doubleValue
                    guard let a, let b else { #expect(a == nil && b == nil, "\(where_) null"); continue }
                    #expect(WeightWatcherFidelityTests.close(a, b), "\(where_): WW \(a), wwmon \(b)")
                }
            }
        }
        let summary = exp["summary"] as! [String: Any]
        let mine = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report.summary)) as! [String: Any]
        for (k, v) in summary {
            let a = (v as! NSNumber).doubleValue, b = (mine[k] as? NSNumber)?.doubleValue ?? .nan
            #expect(WeightWatcherFidelityTests.close(a, b), "\(name) summary.\(k)")
        }
    }

    @Test("the clip_xmax reference really has fingers: some layers clipped, some not")
    func referenceExercisesTheOption() throws {
        let rows = try Self.expected("clip_xmax")["layers"] as! [[String: Any]]
        let fingers = rows.map { ($0["num_fingers"] as! NSNumber).intValue }
        #expect(fingers.contains { $0 > 0 } && fingers.contains(0))
        // And the fix changed alpha where it clipped.
        let plain = try Self.expected("default")["layers"] as! [[String: Any]]
        let alpha = Dictionary(uniqueKeysWithValues: plain.map { ($0["name"] as! String, ($0["alpha"] as! NSNumber).doubleValue) })
        for r in rows where (r["num_fingers"] as! NSNumber).intValue > 0 {
            #expect((r["alpha"] as! NSNumber).doubleValue < alpha[r["name"] as! String]! - 1)
        }
    }

    @Test("the recorded options name exactly the non-default settings")
    func recordedOptions() {
        #expect(AnalysisOptions().recorded.isEmpty && AnalysisOptions().ww.tag.isEmpty)
        let o = Self.options(["fix_fingers": "clip_xmax", "min_evals": 40])
        #expect(o.recorded == ["fix_fingers": "clip_xmax", "min_evals": "40"])
        #expect(o.ww.tag == "fix_fingers=clip_xmax")
    }
}

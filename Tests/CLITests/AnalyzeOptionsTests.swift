import Foundation
import TestSupport
import Testing

/// Issue 13's flags as a user types them: the option columns appear in JSON and CSV, the table
/// says when fingers were clipped, `ingest` records the options, and contradictory flags are
/// usage errors (exit 2).
@Suite("wwmon analyze/ingest: WeightWatcher's options") struct AnalyzeOptionsTests {
    static let model = RepositoryPaths.fixtures.appendingPathComponent("options/fingers/model.safetensors").path

    @Test("--fix-fingers clip_xmax --mp-fit adds their columns to JSON and CSV and a note to the table")
    func optionColumns() throws {
        let j = try StoreCLI.run(["analyze", Self.model, "--fix-fingers", "clip_xmax", "--mp-fit", "--format", "json"])
        #expect(j.status == 0, "\(j.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any]
        let layers = obj["layers"] as! [[String: Any]]
        for c in ["num_fingers", "raw_alpha", "num_spikes", "sigma_mp", "mp_softrank", "W_scale", "bulk_max", "bulk_min"] {
            #expect(layers.allSatisfy { $0[c] != nil }, "\(c)")
        }
        #expect((obj["summary"] as! [String: Any])["mp_softrank"] != nil)
        let checkpoint = obj["checkpoint"] as! [String: Any]
        #expect((checkpoint["options"] as? [String: String]) == ["fix_fingers": "clip_xmax", "mp_fit": "true"])
        let csv = try StoreCLI.run(["analyze", Self.model, "--fix-fingers", "clip_xmax", "--format", "csv"])
        #expect(csv.stdout.split(separator: "\n")[0].hasSuffix(",entropy,num_fingers,raw_alpha"))
        let table = try StoreCLI.run(["analyze", Self.model, "--fix-fingers", "clip_xmax"])
        #expect(table.stdout.contains("fix_fingers: num_fingers 1, raw alpha 8.841"))
        let plain = try StoreCLI.run(["analyze", Self.model, "--format", "json"])
        #expect(!plain.stdout.contains("num_fingers") && !plain.stdout.contains("\"options\""))
    }

    @Test("--layers / --exclude-layers / --min-evals select layers; skipped ones are counted")
    func selection() throws {
        let r = try StoreCLI.run(["analyze", Self.model, "--layers", "^finger", "--exclude-layers", "_c$", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect((obj["layers"] as! [[String: Any]]).map { $0["name"] as! String } == ["finger_a", "finger_b"])
        #expect((obj["summary"] as! [String: Any])["layers_skipped"] as? Int == 9)
    }

    @Test("contradictory or malformed option flags are usage errors naming the flag", arguments: [
        (["--no-pool", "--conv", "operator"], "--no-pool"),
        (["--layers", "(unclosed"], "not a valid regular expression"),
        (["--layer-ids", "1,-2"], "mix"),
        (["--seed", "3"], "--randomize"),
        (["--fix-fingers", "xmin_fit"], "fix-fingers"),
    ] as [([String], String)])
    func badFlags(_ flags: [String], _ fragment: String) throws {
        let r = try StoreCLI.run(["analyze", Self.model] + flags)
        #expect(r.status == 2, "\(flags): \(r.stderr)")
        #expect(r.stderr.contains(fragment), "\(flags): \(r.stderr)")
    }
}

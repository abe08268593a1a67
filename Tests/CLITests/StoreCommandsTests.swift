import Analysis
import Foundation
import TestSupport
import GRDB
import Store
import Testing

/// The query commands, run as the real binary on real database files.
@Suite("wwmon ingest / runs / checkpoints / history / layers / compare / export")
struct StoreCommandsTests {
    /// A db with run "mixed": WW's f32, bf16, f16 rows at steps 100/200/300 and an
    /// unreadable checkpoint; run "shallow": one single-layer checkpoint.
    static func populated(_ dir: URL) throws -> String {
        let db = dir.appendingPathComponent("w.db").path
        for (i, name) in ["c_mixed_f32__st", "e_mixed_bf16__st", "e_mixed_f16__st"].enumerated() {
            let f = try StoreCLI.file(dir, "checkpoint-\((i + 1) * 100).safetensors", bytes: 10 + i)
            let r = try StoreCLI.run(["ingest", f, "--run", "mixed", "--root", dir.path, "--step", "\((i + 1) * 100)",
                                      "--report", StoreCLI.reportFile(dir, name).path, "--db", db])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let bad = try StoreCLI.file(dir, "checkpoint-400.safetensors", bytes: 3)
        let r = try StoreCLI.run(["ingest", bad, "--run", "mixed", "--step", "400", "--db", db])
        #expect(r.status == 1 && r.stderr.contains("could not be analysed"), "\(r.stderr)")
        let s = try StoreCLI.file(dir, "shallow.safetensors", bytes: 1)
        try StoreCLI.run(["ingest", s, "--run", "shallow", "--step", "7", "--db", db,
                          "--report", StoreCLI.reportFile(dir, "a_gaussian_1000x500__st").path])
        // ingest runs the daemon's alert rules (WW's reference layers are out of range); these
        // tests start from none firing.
        try HistoryStore(path: db).write { db in try db.execute(sql: "DELETE FROM alerts") }
        return db
    }

    @Test("ingest analyses a real checkpoint and records it once; a second ingest is a no-op")
    func ingestRealCheckpoint() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("w.db").path
        let model = try ReferenceFixtures.caseFolder("c_mixed_f32")
        let first = try StoreCLI.run(["ingest", model, "--run", "ref", "--db", db, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("\"status\":\"inserted\""))
        let again = try StoreCLI.run(["ingest", model, "--run", "ref", "--db", db, "--json"])
        #expect(again.status == 0 && again.stdout.contains("\"status\":\"duplicate\""), "\(again.stdout)")
        let cps = try StoreCLI.jsonArray(StoreCLI.run(["checkpoints", "ref", "--json", "--db", db]).stdout)
        #expect(cps.count == 1)
        let summary = try #require(cps[0]["summary"] as? [String: Any])
        #expect(summary["layers_analyzed"] as? Int == 7)
        // WW 0.7.7's get_summary() alpha for this case is 5.236416763708926.
        #expect(abs((summary["alpha"] as? Double ?? 0) - 5.236416763708926) < 1e-6)
        // Each layer's content hash is stored (for reuse) and comes back in `layers --json`.
        let layers = try JSONDecoder().decode(CheckpointReport.self, from: Data(
            StoreCLI.run(["layers", "ref", "--json", "--db", db]).stdout.utf8))
        #expect(layers.checkpoint.tensorHashes.count == 7, "\(layers.checkpoint.tensorHashes)")

        // The same tensors under another path (a final save_model(), Lightning's last.ckpt):
        // the same point of the run, recorded as an alias, not a second point.
        let copy = dir.appendingPathComponent("copy")
        try FileManager.default.copyItem(atPath: model, toPath: copy.path)
        let alias = try StoreCLI.run(["ingest", copy.path, "--run", "ref", "--db", db, "--json"])
        #expect(alias.status == 0 && alias.stdout.contains("\"status\":\"alias\""), "\(alias.stdout) \(alias.stderr)")
        let after = try StoreCLI.jsonArray(StoreCLI.run(["checkpoints", "ref", "--json", "--db", db]).stdout)
        #expect(after.count == 1)
        #expect(after[0]["alias_paths"] as? [String] == [copy.path])
    }

    @Test("note attaches training metrics shown by checkpoints --json, history --summary / --metric and export; bad input exits 1 or 2")
    func noteAndTrainingViews() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Self.populated(dir)
        let before = try StoreCLI.jsonArray(StoreCLI.run(["checkpoints", "mixed", "--json", "--db", db]).stdout)
        #expect(before.allSatisfy { ($0["training"] as? [String: Any])?.isEmpty == true })
        #expect(before.map { $0["step_source"] as? String } == ["user", "user", "user", "user"])
        #expect(Set(before.compactMap { $0["status"] as? String }) == ["ok", "error"])

        let ok = try StoreCLI.run(["note", "mixed", "--step", "200", "eval_loss=0.41", "accuracy=0.9", "--db", db])
        #expect(ok.status == 0, "\(ok.stderr)")
        try StoreCLI.run(["note", "mixed", "--step", "300", "eval_loss=0.35", "--db", db])
        let cps = try StoreCLI.jsonArray(StoreCLI.run(["checkpoints", "mixed", "--json", "--db", db]).stdout)
        #expect(cps.count == 4, "note creates no checkpoint")
        #expect((cps[1]["training"] as? [String: Double]) == ["eval_loss": 0.41, "accuracy": 0.9])
        #expect((cps[0]["training"] as? [String: Double]) == [:])

        let unknownStep = try StoreCLI.run(["note", "mixed", "--step", "250", "eval_loss=1", "--db", db])
        #expect(unknownStep.status == 1 && unknownStep.stderr.contains("no checkpoint at step 250"), "\(unknownStep.stderr)")
        let unknownRun = try StoreCLI.run(["note", "nope", "--step", "200", "eval_loss=1", "--db", db])
        #expect(unknownRun.status == 1 && unknownRun.stderr.contains("Unknown run"), "\(unknownRun.stderr)")
        let badPair = try StoreCLI.run(["note", "mixed", "--step", "200", "eval_loss", "--db", db])
        #expect(badPair.status == 2 && badPair.stderr.contains("name=value"), "\(badPair.stderr)")
        #expect(try StoreCLI.jsonArray(StoreCLI.run(["checkpoints", "mixed", "--json", "--db", db]).stdout).count == 4)

        let summary = try StoreCLI.run(["history", "mixed", "--summary", "--db", db])
        #expect(summary.status == 0 && summary.stdout.contains("⟨alpha⟩") && summary.stdout.contains("eval_loss"), "\(summary.stdout)")
        let metric = try StoreCLI.jsonArray(StoreCLI.run(["history", "mixed", "--metric", "eval_loss", "--json", "--db", db]).stdout)
        #expect(metric.map { $0["step"] as? Int } == [200, 300])
        #expect(metric.map { $0["value"] as? Double } == [0.41, 0.35])
        let missing = try StoreCLI.run(["history", "mixed", "--metric", "bleu", "--db", db])
        #expect(missing.status == 2 && missing.stderr.contains("eval_loss"), "\(missing.stderr)")

        let csv = try StoreCLI.run(["export", "mixed", "--csv", "--db", db]).stdout
        let header = try #require(csv.split(separator: "\n").first)
        #expect(header.hasSuffix(",training.accuracy,training.eval_loss"), "\(header)")
        let step200 = csv.split(separator: "\n").filter { $0.hasPrefix("mixed,200,") }
        #expect(!step200.isEmpty && step200.allSatisfy { $0.hasSuffix(",0.9,0.41") })
    }

    @Test("Machine shapes: runs/checkpoints/history --json keep the contract keys; layers --json is the analyze object")
    func machineShapes() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Self.populated(dir)
        let runs = try StoreCLI.jsonArray(StoreCLI.run(["runs", "--json", "--db", db]).stdout)
        #expect(runs.map { $0["run"] as? String } == ["mixed", "shallow"])
        for k in ["run", "root", "checkpoints", "first_step", "last_step"] { #expect(runs[0].keys.contains(k), "\(k)") }
        #expect(runs[0]["checkpoints"] as? Int == 4 && runs[0]["first_step"] as? Int == 100 && runs[0]["last_step"] as? Int == 400)

        let cps = try StoreCLI.jsonArray(StoreCLI.run(["checkpoints", "mixed", "--json", "--db", db]).stdout)
        #expect(cps.map { $0["step"] as? Int } == [100, 200, 300, 400])
        for k in ["run", "step", "epoch", "path", "status", "error", "analyzed_at", "summary"] {
            #expect(cps.allSatisfy { $0.keys.contains(k) }, "\(k)")
        }
        #expect(cps.map { $0["status"] as? String } == ["ok", "ok", "ok", "error"])
        #expect(cps[3]["summary"] is NSNull && (cps[3]["error"] as? String ?? "").contains("truncated"))
        let t = cps[0]["analyzed_at"] as? String ?? ""
        #expect(t.hasSuffix("Z") && t.count == 20, "RFC 3339: \(t)")

        let hist = try StoreCLI.jsonArray(StoreCLI.run(["history", "mixed", "--summary", "--json", "--db", db]).stdout)
        #expect(Set(hist.compactMap { $0["metric"] as? String }) == ["alpha", "alpha_weighted"])
        #expect(hist.allSatisfy { $0["layer"] is NSNull })
        for k in ["run", "step", "epoch", "time", "layer", "metric", "value"] { #expect(hist.allSatisfy { $0.keys.contains(k) }) }
        #expect(hist.filter { $0["step"] as? Int == 400 }.allSatisfy { $0["value"] is NSNull }, "unreadable -> null")

        // JSONDecoder, not JSONSerialization: corelibs' JSONSerialization rounds the last digit.
        struct Point: Decodable { var layer: String?; var value: Double?; var step: Int }
        let layer = try JSONDecoder().decode([Point].self, from: Data(StoreCLI.run(
            ["history", "mixed", "--layer", "layers.3", "--json", "--db", db]).stdout.utf8))
        let ww = try ["c_mixed_f32__st", "e_mixed_bf16__st", "e_mixed_f16__st"].map { try StoreCLI.layers($0)[3].alpha }
        #expect(layer.map(\.value) == ww, "exact values round-trip through the store and the JSON")
        #expect(layer.allSatisfy { $0.layer == "layers.3" })

        let layersJSON = try StoreCLI.run(["layers", "mixed", "--step", "200", "--json", "--db", db])
        let report = try JSONDecoder().decode(CheckpointReport.self, from: Data(layersJSON.stdout.utf8))
        let enc = JSONEncoder(); enc.outputFormatting = .sortedKeys
        #expect(try enc.encode(report.layers) == enc.encode(StoreCLI.layers("e_mixed_bf16__st")))
        #expect(report.checkpoint.step == 200)

        let ndjson = try StoreCLI.run(["history", "mixed", "--ndjson", "--db", db]).stdout
        #expect(ndjson.split(separator: "\n").count == 7 * 3)
        let csv = try StoreCLI.run(["export", "mixed", "--db", db]).stdout.split(separator: "\n")
        #expect(csv.count == 1 + 7 * 3 && csv[0].hasPrefix("run,step,epoch,path,version,analyzed_at,layer,layer_id"))
        struct Exported: Decodable { var alpha: Double; var layer: String; var step: Int }
        let exported = try JSONDecoder().decode([Exported].self, from: Data(StoreCLI.run(["export", "mixed", "--json", "--db", db]).stdout.utf8))
        let firstAlpha = try StoreCLI.layers("c_mixed_f32__st")[0].alpha
        #expect(exported.count == 21 && exported[0].alpha == firstAlpha)
        #expect(exported[0].layer == "layers.0" && exported[0].step == 100)
    }

    @Test("Exit codes and sentences: unknown run lists known ones (1), bad usage (2), missing and newer-schema db (1)")
    func errors() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Self.populated(dir)
        let unknown = try StoreCLI.run(["history", "nope", "--db", db])
        #expect(unknown.status == 1 && unknown.stderr.contains("Unknown run \"nope\"; known runs: mixed, shallow."))
        let layer = try StoreCLI.run(["history", "mixed", "--layer", "nope", "--db", db])
        #expect(layer.status == 1 && layer.stderr.contains("layers.0, layers.1"))
        #expect(try StoreCLI.run(["history", "mixed", "--metric", "bogus", "--db", db]).status == 2)
        #expect(try StoreCLI.run(["history", "mixed", "--follow", "--json", "--db", db]).status == 2)
        #expect(try StoreCLI.run(["runs", "--json", "--csv", "--db", db]).status == 2)
        let missing = try StoreCLI.run(["runs", "--db", dir.appendingPathComponent("nope.db").path])
        #expect(missing.status == 1 && missing.stderr.contains("No wwmon database at"))
        let env = try StoreCLI.run(["runs", "--json"], environment: ["WWMON_DB": db])
        #expect(env.status == 0 && env.stdout.contains("\"mixed\""), "WWMON_DB is honoured")
        let step = try StoreCLI.run(["layers", "mixed", "--step", "150", "--db", db])
        #expect(step.status == 1 && step.stderr.contains("recorded steps: 100, 200, 300, 400"))
        try HistoryStore(path: db).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-future')")
        }
        let newer = try StoreCLI.run(["runs", "--db", db])
        #expect(newer.status == 1 && newer.stderr.contains("newer wwmon"))
    }

    @Test("runs exits 3 while an alert is firing and shows the count")
    func alertsFiringExitCode() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Self.populated(dir)
        #expect(try StoreCLI.run(["runs", "--db", db]).status == 0)
        try HistoryStore(path: db).write { db in
            try db.execute(sql: """
                INSERT INTO alerts (fingerprint, rule, run_id, layer, state, step, value, threshold, message, fired_at)
                SELECT 'alpha_range|mixed|layers.0', 'alpha_range', id, 'layers.0', 'firing', 300, 11.6, 6, 'alpha 11.6 > 6', 0
                FROM runs WHERE name = 'mixed'
                """)
        }
        let r = try StoreCLI.run(["runs", "--db", db])
        #expect(r.status == 3 && r.stdout.contains("1 firing"))
        let j = try StoreCLI.jsonArray(StoreCLI.run(["runs", "--json", "--db", db]).stdout)
        #expect(j.first { $0["run"] as? String == "mixed" }?["alerts_firing"] as? Int == 1)
    }

    @Test("Tables for people: sparklines, out-of-range marks and gaps, no escape codes under NO_COLOR")
    func tables() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Self.populated(dir)
        let all = try StoreCLI.run(["history", "mixed", "--db", db]).stdout
        #expect(all.contains("layers.0") && all.contains(where: { Sparkline.contains($0) }))
        #expect(!all.contains("\u{1B}["))
        let summary = try StoreCLI.run(["history", "mixed", "--summary", "--db", db]).stdout
        #expect(summary.contains("⟨alpha⟩") && summary.contains("⟨alpha_weighted⟩") && summary.contains("unreadable"))
        let one = try StoreCLI.run(["history", "mixed", "--layer", "layers.0", "--db", db]).stdout
        #expect(one.contains("alpha out of range") && one.contains("3 outside 2–6"))
        let cps = try StoreCLI.run(["checkpoints", "mixed", "--db", db]).stdout
        #expect(cps.contains("step 400: ") && cps.contains("truncated"))
        let cmp = try StoreCLI.run(["compare", "mixed", "--with", "shallow", "--db", db]).stdout
        #expect(cmp.contains("differ in depth (7 vs 1") && cmp.contains("⟨alpha_weighted⟩") && cmp.contains("← applies"))
        let within = try StoreCLI.run(["compare", "mixed", "--from", "100", "--to", "300", "--json", "--db", db]).stdout
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(within.utf8)) as? [String: Any])
        #expect(doc["recommended_metric"] as? String == "alpha")
        #expect((doc["layers"] as? [[String: Any]])?.count == 7)
    }

    enum Sparkline { static func contains(_ c: Character) -> Bool { "▁▂▃▄▅▆▇█".contains(c) } }
}

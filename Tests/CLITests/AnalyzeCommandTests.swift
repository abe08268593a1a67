import Foundation
import TestSupport
import Testing

/// `wwmon analyze` as a user runs it: the real binary, real files, its output formats and exit codes.
@Suite("wwmon analyze") struct AnalyzeCommandTests {
    static func model(_ name: String) throws -> String {
        try ReferenceFixtures.casePath(name)
    }

    @Test("--format json is {layers, summary} with WW's column names and WW's numbers")
    func jsonContract() throws {
        let r = try StoreCLI.run(["analyze", Self.model("c_mixed_f32"), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let layers = obj["layers"] as! [[String: Any]]
        #expect(layers.count == 7)
        let columns = ["layer_id", "name", "longname", "layer_type", "N", "M", "rf", "Q", "num_evals", "sv_max",
                       "sv_min", "rank_loss", "weak_rank_loss", "lambda_max", "alpha", "xmin", "xmax", "D",
                       "sigma", "num_pl_spikes", "status", "warning", "norm", "log_norm", "spectral_norm",
                       "log_spectral_norm", "alpha_weighted", "log_alpha_norm", "stable_rank", "matrix_rank",
                       "entropy"]
        for c in columns { #expect(layers[0][c] != nil, "missing column \(c)") }
        #expect(layers[0]["slice_id"] == nil)
        let alpha = (layers[0]["alpha"] as! NSNumber).doubleValue
        #expect(abs(alpha - 11.578686856987542) < 1e-6 * 11.6)
        let summary = obj["summary"] as! [String: Any]
        #expect(abs((summary["alpha"] as! NSNumber).doubleValue - 5.236416763708926) < 1e-6 * 5.3)
        #expect(summary["layers_analyzed"] as? Int == 7 && summary["layers_skipped"] as? Int == 2)
    }

    @Test("--no-pool gives one row per conv kernel position with slice_id; CSV has WW's header")
    func perSliceCSV() throws {
        let r = try StoreCLI.run(["analyze", Self.model("d_conv2d_64x32x3x3"), "--no-pool", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 10)
        #expect(lines[0].hasPrefix("layer_id,name,longname,layer_type,N,M,rf,Q,num_evals,sv_max"))
        #expect(lines[0].hasSuffix(",slice_id"))
        #expect(lines.dropFirst().map { $0.split(separator: ",").last! } == (0..<9).map { Substring("\($0)") })
    }

    @Test("the table for people ends with the summary and the layer counts")
    func humanTable() throws {
        let r = try StoreCLI.run(["analyze", Self.model("b_pareto2_1000x500")])
        #expect(r.status == 0)
        #expect(r.stdout.contains("dense") && r.stdout.contains("⟨alpha⟩ 2.637"))
        #expect(r.stdout.contains("layers: 1 analyzed, 0 skipped, 0 failed"))
    }

    @Test("a broken checkpoint is a one-sentence error naming the file, exit 1; bad usage exits 2")
    func errorsAndExitCodes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-analyze-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("cut.safetensors")
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.model("a_gaussian_1000x500")))
        try whole.prefix(whole.count / 2).write(to: bad)
        let r = try StoreCLI.run(["analyze", bad.path])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("wwmon: error: ") && r.stderr.contains(bad.path) && r.stderr.contains("truncated"))
        let u = try StoreCLI.run(["analyze", Self.model("a_gaussian_1000x500"), "--format", "xml"])
        #expect(u.status == 2)
    }

    @Test("a generic OpenBLAS kernel on a capable CPU makes wwmon re-exec itself with the fast one; a user's OPENBLAS_CORETYPE is kept")
    func kernelReexec() throws {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let capable = flags.contains(" avx2") && flags.contains(" fma")
        let m = try Self.model("a_gaussian_1000x500")
        let kept = try StoreCLI.run(["analyze", m, "-v"], environment: [
            "WWMON_ASSUME_OPENBLAS_CORE": "Prescott", "OPENBLAS_CORETYPE": "Haswell"])
        #expect(kept.stderr.contains("OpenBLAS kernel Haswell (from OPENBLAS_CORETYPE)"))
        if capable {
            let p = Process()
            p.executableURL = StoreCLI.binary
            p.arguments = ["analyze", m, "-v"]
            var e = ProcessInfo.processInfo.environment
            e.removeValue(forKey: "OPENBLAS_CORETYPE")
            e["WWMON_ASSUME_OPENBLAS_CORE"] = "Prescott"
            p.environment = e
            let err = Pipe(); p.standardError = err; p.standardOutput = FileHandle.nullDevice
            try p.run(); p.waitUntilExit()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(text.contains("(OpenBLAS chose Prescott; set OPENBLAS_CORETYPE="), "\(text)")
        }
    }
}

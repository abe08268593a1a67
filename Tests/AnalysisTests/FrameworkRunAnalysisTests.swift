import Analysis
import Checkpoint
import Foundation
import Testing

/// Checkpoints written by real trainings (Tests/Fixtures/frameworks, scripts/gen_framework_runs.py)
/// analyse end to end, and the report carries the readers' step, step source, epoch and training
/// metrics beside the layer numbers.
struct FrameworkRunAnalysisTests {
    static let frameworks = ReferenceCases.repoRoot.appendingPathComponent("Tests/Fixtures/frameworks")

    /// The bytes of the last write of `path` in a recorded case, copied to a temp file named `name`.
    static func materialise(_ caseName: String, _ path: String, as name: String) throws -> (dir: URL, file: String) {
        struct Seq: Decodable { struct E: Decodable { let op: String, path: String, blob: String? }; let events: [E] }
        let seq = try JSONDecoder().decode(Seq.self, from: Data(contentsOf: frameworks.appendingPathComponent("\(caseName)/sequence.json")))
        let blob = try #require(seq.events.last { $0.op == "write" && $0.path == path }?.blob)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-fra-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent(name).path
        try FileManager.default.copyItem(atPath: frameworks.appendingPathComponent("blobs/\(blob)").path, toPath: file)
        return (dir, file)
    }

    @Test("a timm-style research dict with an argparse.Namespace is analysed: Adam's step, the epoch key, best_acc1 and loss")
    func researchDict() async throws {
        let (dir, file) = try Self.materialise("research-dict", "ckpt_2.pt", as: "ckpt_2.pt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = try await Analyzer(options: AnalysisOptions(concurrency: 1)).analyze(path: file)
        #expect(report.checkpoint.step == 10 && report.checkpoint.epoch == 2 && report.checkpoint.stepSource == "optimizer")
        #expect(Set(report.checkpoint.training.keys) == ["best_acc1", "loss"])
        #expect(report.summary.layersAnalyzed == 2)   // the two 16x16 layers; the 16x4 head has M < 8
    }

    @Test("a Lightning .ckpt is analysed with its global_step and the monitored val_loss")
    func lightning() async throws {
        let path = "lightning_logs/version_0/checkpoints/epoch=1-step=8.ckpt"
        let (dir, file) = try Self.materialise("lightning-last", path, as: "epoch=1-step=8.ckpt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = try await Analyzer(options: AnalysisOptions(concurrency: 1)).analyze(path: file)
        #expect(report.checkpoint.step == 8 && report.checkpoint.epoch == 1 && report.checkpoint.stepSource == "framework")
        #expect(report.checkpoint.training["val_loss"] != nil)
        #expect(report.summary.layersAnalyzed == 2)
    }
}

import Foundation
import Testing
@testable import Checkpoint

/// Step/epoch from names, layer-name normalisation, and framework folder rules.
struct LayoutTests {
    @Test("StepParser reads the framework naming conventions", arguments: [
        ("checkpoint-500", 500, nil),
        ("epoch=3-step=1200.ckpt", 1200, 3.0),
        ("epoch=3-step=1200-v1.ckpt", 1200, 3.0),
        ("epoch=3-step=1200-val_loss=0.12.ckpt", 1200, 3.0),
        ("global_step500", 500, nil),
        ("step=1200.pt", 1200, nil),
        ("step-1200.pt", 1200, nil),
        ("model_step_1200.pth", 1200, nil),
        ("iter_3000.pt", 3000, nil),
        ("epoch=3.ckpt", nil, 3.0),
        ("epoch_7.pt", nil, 7.0),
        ("weights-0042.pt", 42, nil),
        ("ckpt_500.bin", 500, nil),
        ("last.ckpt", nil, nil),
        ("resnet50.pt", nil, nil),
        ("f32_mlp.pt", nil, nil),
        ("model.safetensors", nil, nil),
        ("bert-lr3e-4.safetensors", nil, nil),      // a hyper-parameter, not a step
        ("checkpoint_3", 3, nil),                   // accelerate's save counter (last resort)
    ] as [(String, Int?, Double?)])
    func stepNames(name: String, step: Int?, epoch: Double?) {
        let r = StepParser.parse(name: name)
        #expect(r.step == step && r.epoch == epoch, "\(name) -> \(String(describing: r))")
    }

    @Test("framework-fixed file names take the step from their folder")
    func stepFromFolder() {
        #expect(StepParser.parse(path: "/x/global_step500/mp_rank_00_model_states.pt").step == 500)
        #expect(StepParser.parse(path: "/x/checkpoint-30/pytorch_model.bin").step == 30)
        #expect(StepParser.parse(path: "/x/checkpoint-30/model-00001-of-00002.safetensors").step == 30)
        #expect(StepParser.parse(path: "/x/run/epoch=2-step=10.ckpt").step == 10)
    }

    @Test("a run folder's name never gives a step; a checkpoint folder's does", arguments: [
        ("bert-lr3e-4", nil), ("run7", nil), ("exp_2024_01", nil), ("v1.5", nil),
        ("checkpoint-500", 500), ("checkpoint_3", 3), ("global_step40", 40), ("step_1200", 1200),
        ("epoch=1-step=8.ckpt", 8),
    ] as [(String, Int?)])
    func folderNames(name: String, step: Int?) {
        #expect(StepParser.parse(folderName: name).step == step, "\(name)")
        #expect(StepParser.parse(path: "/data/\(name)/model.safetensors").step == step, "\(name)/model.safetensors")
    }

    @Test("a final model.safetensors in a run folder named bert-lr3e-4 has no step (was 4 from the folder's name)")
    func finalModelInRunFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-\(UUID().uuidString)/bert-lr3e-4")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let p = dir.appendingPathComponent("model.safetensors").path
        try FileManager.default.copyItem(atPath: Fixtures.path("hf_safetensors/checkpoint-10/model.safetensors"), toPath: p)
        let c = try CheckpointReader.open(p)
        #expect(c.step == nil && c.epoch == nil && c.stepSource == nil)
        #expect(try CheckpointReader.open(dir.path).step == nil)
    }

    @Test("trainer_state.json with Python's NaN still gives the step; NaN metrics are dropped, finite ones kept up to the step")
    func trainerStateNaN() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-\(UUID().uuidString)/checkpoint-20")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        try FileManager.default.copyItem(atPath: Fixtures.path("hf_safetensors/checkpoint-10/model.safetensors"),
                                         toPath: dir.appendingPathComponent("model.safetensors").path)
        try #"""
        {"global_step": 20, "epoch": 1.5, "log_history": [
          {"loss": 2.5, "grad_norm": NaN, "learning_rate": 0.001, "step": 10, "epoch": 1.0},
          {"eval_loss": 1.25, "eval_runtime": 0.5, "eval_samples_per_second": 30.0, "step": 10},
          {"loss": 2.0, "grad_norm": Infinity, "step": 20},
          {"eval_loss": -Infinity, "step": 20},
          {"loss": 9.0, "eval_loss": 9.0, "step": 30}]}
        """#.write(to: dir.appendingPathComponent("trainer_state.json"), atomically: true, encoding: .utf8)
        let c = try CheckpointReader.open(dir.path)
        #expect(c.step == 20 && c.epoch == 1.5 && c.stepSource == .framework)
        #expect(c.training == ["loss": 2.0, "learning_rate": 0.001, "eval_loss": 1.25])
    }

    @Test("a FIFO named optimizer.pt beside the weights is not opened for blocking: the folder's name decides")
    func fifoCompanion() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-\(UUID().uuidString)/checkpoint_3")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        try FileManager.default.copyItem(atPath: Fixtures.path("hf_safetensors/checkpoint-10/model.safetensors"),
                                         toPath: dir.appendingPathComponent("model.safetensors").path)
        #expect(mkfifo(dir.appendingPathComponent("optimizer.pt").path, 0o600) == 0)
        #expect(mkfifo(dir.appendingPathComponent("scheduler.bin").path, 0o600) == 0)
        let c = try CheckpointReader.open(dir.path)
        #expect(c.step == 3 && c.stepSource == .name)
    }

    @Test("an optimizer inside a research dict gives the step; its 'epoch' key the epoch; scalars are metrics (tutorial.pt)")
    func researchDict() throws {
        let c = try TorchCheckpoint.open(Fixtures.path("tutorial.pt"))
        // scripts/gen_fixtures.py: 3 Adam steps, {"epoch": 7, ..., "loss": float}
        #expect(c.step == 3 && c.stepSource == .optimizer && c.epoch == 7)
        #expect(c.training.keys.sorted() == ["loss"])
    }

    @Test("names lose DDP 'module.' and torch.compile '_orig_mod.' wrappers, nothing else", arguments: [
        ("module.fc.weight", "fc.weight"),
        ("_orig_mod.fc.weight", "fc.weight"),
        ("module._orig_mod.fc.weight", "fc.weight"),
        ("encoder._orig_mod.layer.weight", "encoder.layer.weight"),
        ("model.module_list.0.weight", "model.module_list.0.weight"),
        ("fc.module.weight", "fc.module.weight"),
        ("module", "module"),
    ])
    func normalise(raw: String, expected: String) {
        #expect(TensorNames.normalise(raw) == expected)
    }

    @Test("names are kept as written when stripping would make two equal")
    func normaliseCollision() throws {
        let refs = ["module.fc.weight", "fc.weight"].map { TensorRef(name: $0, dtype: .f32, shape: [1], file: "/f", offset: 0) }
        var c = CheckpointContents(path: "/f", format: .torchZip, tensors: refs, files: ["/f"])
        TensorNames.normalise(&c)
        #expect(c.tensors.map(\.name) == ["module.fc.weight", "fc.weight"])
    }

    @Test("a torch file named by step gets its step from the name when the content has none")
    func nameStepForBareStateDict() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("step_1200.pt").path
        try FileManager.default.copyItem(atPath: Fixtures.path("f32_mlp.pt"), toPath: p)
        let c = try TorchCheckpoint.open(p)
        #expect(c.step == 1200 && c.stepSource == .name)
    }

    @Test("Lightning's DeepSpeed strategy: an `epoch=3-step=1200.ckpt/` folder with tag `checkpoint` takes its step from the folder name")
    func lightningDeepSpeedFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-lds-\(UUID().uuidString)")
        let dir = root.appendingPathComponent("epoch=3-step=1200.ckpt")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("checkpoint"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.copyItem(atPath: Fixtures.path("f32_mlp.pt"),
                                         toPath: dir.appendingPathComponent("checkpoint/mp_rank_00_model_states.pt").path)
        try "checkpoint".write(to: dir.appendingPathComponent("latest"), atomically: true, encoding: .utf8)
        let c = try CheckpointReader.open(dir.path)
        #expect(c.step == 1200 && c.epoch == 3 && c.stepSource == .name)
        #expect(c.path == dir.path && c.tensors.count == 8)
    }

    @Test("a DeepSpeed 'latest' naming a missing or unsafe tag is refused")
    func deepSpeedLatest() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-ds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "global_step99".write(to: dir.appendingPathComponent("latest"), atomically: true, encoding: .utf8)
        expectRefusal(dir.path, "does not exist", errorPath: dir.path + "/latest")
        try "../../etc".write(to: dir.appendingPathComponent("latest"), atomically: true, encoding: .utf8)
        expectRefusal(dir.path, "not a folder name", errorPath: dir.path + "/latest")
    }

    @Test("a shard index naming a tensor its shard lacks, or a path outside the folder, is refused")
    func badShardIndex() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-sh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: Fixtures.path("f32_mlp.pt"), toPath: dir.appendingPathComponent("a.bin").path)
        let index = dir.appendingPathComponent("pytorch_model.bin.index.json")
        try #"{"weight_map": {"fc1.weight": "a.bin", "ghost.weight": "a.bin"}}"#.write(to: index, atomically: true, encoding: .utf8)
        expectRefusal(index.path, "'ghost.weight' in a.bin")
        try #"{"weight_map": {"fc1.weight": "../a.bin"}}"#.write(to: index, atomically: true, encoding: .utf8)
        expectRefusal(index.path, "not a file name")
        try #"{"weight_map": 3}"#.write(to: index, atomically: true, encoding: .utf8)
        expectRefusal(index.path, "not a valid shard index")
    }

    @Test("an optimizer-only file (HF optimizer.pt shape) is noWeights, which says so")
    func optimizerOnly() throws {
        // {'state': {0: {'exp_avg': tensor}}, 'param_groups': []}
        let inner = P.emptyDict + P.int(0) + P.emptyDict + P.str("exp_avg") + P.tensor(numel: 6, size: [2, 3], stride: [3, 1]) + P.setitem + P.setitem
        let pickle = P.proto + P.emptyDict + P.str("state") + inner + P.setitem + P.str("param_groups") + [0x5d] + P.setitem + P.stop
        let p = try Fixtures.temp(ZipBuilder.torch(pickle: pickle, storages: [("0", floats([1, 2, 3, 4, 5, 6]))]))
        defer { try? FileManager.default.removeItem(atPath: p) }
        expectRefusal(p, "no model weights found")
        #expect({ if case .noWeights? = checkpointError({ _ = try TorchCheckpoint.open(p) }) { true } else { false } }())
    }

    @Test("numpy scalar metrics of a research dict (f8, f4, i8, big-endian) are read as numbers; bools and NaN are not metrics")
    func numpyScalarMetrics() throws {
        // scripts/gen_fixtures.py gen_scalars: {"model", "epoch": 2, "acc": np.float64(91.25), "top5": np.float32(99.5),
        // "seen": np.int64(4096), "big_endian": >f8 0.75, "flag": np.bool_(True), "nan": np.float64(nan)}
        let c = try TorchCheckpoint.open(Fixtures.path("numpy_scalars.pt"))
        #expect(c.tensors.map(\.name) == ["fc.weight"])
        #expect(c.training == ["acc": 91.25, "top5": 99.5, "seen": 4096, "big_endian": 0.75])
        #expect(c.step == nil && c.epoch == 2 && c.stepSource == .framework)
    }

    @Test("an RNG state (uint8 tensor, plain numbers) is noWeights, not a one-tensor model")
    func rngStateOnly() throws {
        // {'cpu': ByteTensor(6), 'python': 3}
        let pickle = P.proto + P.emptyDict + P.str("cpu") + P.tensor(numel: 6, size: [6], stride: [1], storage: "ByteStorage")
            + P.setitem + P.str("python") + P.int(3) + P.setitem + P.stop
        let p = try Fixtures.temp(ZipBuilder.torch(pickle: pickle, storages: [("0", [1, 2, 3, 4, 5, 6])]))
        defer { try? FileManager.default.removeItem(atPath: p) }
        #expect({ if case .noWeights? = checkpointError({ _ = try TorchCheckpoint.open(p) }) { true } else { false } }())
    }
}

import Foundation
import Testing
@testable import Checkpoint

/// The recorded file-write sequences of real training runs (scripts/gen_framework_runs.py):
/// replayed into a temporary folder, each checkpoint the framework saved must read with the
/// framework's own step, the right step source and epoch, and its training metrics; the files
/// written beside the weights must read as "no weights", and aliases (last.ckpt, a final
/// save_model()) as the same weights as the checkpoint they copy.
struct FrameworkRunTests {
    static let root = Fixtures.repoRoot.appendingPathComponent("Tests/Fixtures/frameworks")
    static let cases = ["hf-trainer", "hf-final-save", "hf-rotate", "lightning-last", "lightning-last-link",
                        "lightning-two-fits", "accelerate-state", "research-dict", "torch-loop"]

    struct Sequence: Decodable {
        struct Checkpoint: Decodable {
            let path: String, run: String, step: Int, epoch: Double?, step_source: String, ready_event: Int
        }
        struct Alias: Decodable { let path: String, of: String }
        struct Expected: Decodable {
            let steps: [Int], vanished_steps: [Int], runs: [String], training_keys: [String]
            let checkpoints: [Checkpoint], aliases: [Alias]
        }
        struct Event: Decodable { let t: Double, op: String, path: String, to: String?, target: String?, blob: String? }
        let `case`: String, framework: String, expected: Expected, events: [Event]
    }

    static func load(_ name: String) throws -> Sequence {
        try JSONDecoder().decode(Sequence.self, from: Data(contentsOf: root.appendingPathComponent("\(name)/sequence.json")))
    }

    /// Replays `events` into `dir` (a folder named like a run, `bert-lr3e-4`, so a reader that took
    /// a step from a run folder's name would be caught).
    static func replay(_ events: ArraySlice<Sequence.Event>, into dir: String) throws {
        let fm = FileManager.default
        for e in events {
            let p = dir + "/" + e.path
            switch e.op {
            case "mkdir": try fm.createDirectory(atPath: p, withIntermediateDirectories: true)
            case "write":
                let blob = root.appendingPathComponent("blobs/\(e.blob!)")
                try Data(contentsOf: blob).write(to: URL(fileURLWithPath: p))
            case "rename":
                guard rename(p, dir + "/" + e.to!) == 0 else { throw CocoaError(.fileWriteUnknown) }
            case "symlink": try fm.createSymbolicLink(atPath: p, withDestinationPath: e.target!)
            case "delete", "rmdir": try fm.removeItem(atPath: p)
            default: Issue.record("unknown op \(e.op)")
            }
        }
    }

    static func tempRun() throws -> (base: String, run: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-fw-\(UUID().uuidString)").path
        let run = base + "/bert-lr3e-4"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        return (base, run)
    }

    @Test("every checkpoint of a real run reads with the framework's step, its source, epoch and metrics", arguments: cases)
    func checkpoints(name: String) throws {
        let seq = try Self.load(name)
        #expect(!seq.expected.checkpoints.isEmpty)
        #expect(seq.expected.checkpoints.map(\.step).sorted() == seq.expected.steps)
        for c in seq.expected.checkpoints {
            let (base, run) = try Self.tempRun()
            defer { try? FileManager.default.removeItem(atPath: base) }
            try Self.replay(seq.events[...c.ready_event], into: run)
            let contents = try CheckpointReader.open(run + "/" + c.path)
            #expect(!contents.tensors.isEmpty, "\(name) \(c.path)")
            #expect(contents.step == c.step, "\(name) \(c.path)")
            #expect(contents.stepSource?.rawValue == c.step_source, "\(name) \(c.path)")
            if let e = c.epoch {
                #expect(abs((contents.epoch ?? .nan) - e) < 1e-9, "\(name) \(c.path): epoch \(String(describing: contents.epoch))")
            } else {
                #expect(contents.epoch == nil, "\(name) \(c.path)")
            }
            for key in seq.expected.training_keys {
                #expect(contents.training[key] != nil, "\(name) \(c.path): no \(key) in \(contents.training)")
            }
            #expect(contents.training.values.allSatisfy { $0.isFinite })
            #expect(contents.training.keys.allSatisfy { !["step", "epoch", "global_step"].contains($0) })
        }
    }

    @Test("files written beside the weights (optimizer, scheduler, rng, args) read as noWeights", arguments: cases)
    func companions(name: String) throws {
        let seq = try Self.load(name)
        let (base, run) = try Self.tempRun()
        defer { try? FileManager.default.removeItem(atPath: base) }
        var seen = 0
        // Stop before the first deletion so rotated-away folders are still there to be checked.
        let firstDelete = seq.events.firstIndex { $0.op == "delete" || $0.op == "rmdir" } ?? seq.events.count
        try Self.replay(seq.events[..<firstDelete], into: run)
        let companionNames: Set<String> = ["optimizer.pt", "scheduler.pt", "rng_state.pth", "training_args.bin",
                                           "optimizer.bin", "scheduler.bin", "random_states_0.pkl", "scaler.pt"]
        for e in seq.events[..<firstDelete] where e.op == "write" && companionNames.contains(FileSystem.baseName(e.path)) {
            let p = run + "/" + e.path
            guard FileManager.default.fileExists(atPath: p) else { continue }
            seen += 1
            switch Result(catching: { try CheckpointReader.open(p) }) {
            case .success(let c): Issue.record("\(name) \(e.path) read as a checkpoint with \(c.tensors.map(\.name))")
            case .failure(let error):
                guard case .noWeights(let path, _)? = error as? CheckpointError else {
                    Issue.record("\(name) \(e.path): \(error)"); continue
                }
                #expect(path == p)
            }
        }
        let writesCompanions = name.hasPrefix("hf-") || name == "accelerate-state"
        #expect(writesCompanions == (seen > 0), "\(name): \(seen) companion files")
    }

    @Test("aliases (last.ckpt, its symlink, a final save_model) hold the weights and step of the checkpoint they copy",
          arguments: ["hf-final-save", "lightning-last", "lightning-last-link", "lightning-two-fits"])
    func aliases(name: String) throws {
        let seq = try Self.load(name)
        let (base, run) = try Self.tempRun()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try Self.replay(seq.events[...], into: run)
        #expect(!seq.expected.aliases.isEmpty)
        for a in seq.expected.aliases {
            let alias = try CheckpointReader.open(run + "/" + a.path)
            let original = try CheckpointReader.open(run + "/" + a.of)
            #expect(alias.tensors.map(\.name) == original.tensors.map(\.name))
            for (x, y) in zip(alias.tensors, original.tensors) {
                #expect(try TensorReader().readFloat64(x) == TensorReader().readFloat64(y), "\(name) \(a.path) \(x.name)")
            }
            if name == "hf-final-save" {
                // output_dir/model.safetensors in a folder named bert-lr3e-4: no trainer_state.json
                // beside it, and the run folder's name gives no step.
                #expect(alias.step == nil && alias.stepSource == nil)
            } else {
                #expect(alias.step == original.step && alias.stepSource == .framework)
            }
        }
    }

    @Test("accelerate: without optimizer.bin the scheduler's last_epoch gives the step; without either, the save counter in the name")
    func accelerateFallbacks() throws {
        let seq = try Self.load("accelerate-state")
        let c = seq.expected.checkpoints[1]   // checkpoints/checkpoint_1, optimizer step 20
        let (base, run) = try Self.tempRun()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try Self.replay(seq.events[...c.ready_event], into: run)
        let dir = run + "/" + c.path
        try FileManager.default.removeItem(atPath: dir + "/optimizer.bin")
        let bySchedule = try CheckpointReader.open(dir)
        #expect(bySchedule.step == 20 && bySchedule.stepSource == .optimizer)   // LinearLR stepped once per optimizer step
        try FileManager.default.removeItem(atPath: dir + "/scheduler.bin")
        let byName = try CheckpointReader.open(dir)
        #expect(byName.step == 1 && byName.stepSource == .name)
    }

    @Test("the Lightning checkpoints carry the monitored val_loss and its best so far")
    func lightningScores() throws {
        let seq = try Self.load("lightning-last")
        let c = seq.expected.checkpoints.last!
        let (base, run) = try Self.tempRun()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try Self.replay(seq.events[...c.ready_event], into: run)
        let contents = try CheckpointReader.open(run + "/" + c.path)
        let val = try #require(contents.training["val_loss"])
        let best = try #require(contents.training["best_val_loss"])
        #expect(best <= val)
    }

    @Test("the recorded runs are small enough to commit (< 3 MB of blobs) and every blob a sequence names exists")
    func blobsCommitted() throws {
        var total = 0
        for name in Self.cases {
            for e in try Self.load(name).events where e.op == "write" {
                let p = Self.root.appendingPathComponent("blobs/\(e.blob!)").path
                #expect(FileManager.default.fileExists(atPath: p), "\(name): blob of \(e.path)")
            }
        }
        for b in try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("blobs").path) {
            total += (try FileManager.default.attributesOfItem(atPath: Self.root.appendingPathComponent("blobs/\(b)").path)[.size] as? Int) ?? 0
        }
        #expect(total < 3 << 20)
    }
}

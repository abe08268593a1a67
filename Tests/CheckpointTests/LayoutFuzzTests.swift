import Foundation
import Testing
import TestSupport
@testable import Checkpoint

/// Issue 10's fuzz target for the folder readers, next to FuzzTests (safetensors files) and
/// TorchFuzzTests (torch zip/pickle and numpy files): seeded mutations of the side files that
/// steer a folder's reading — shard indexes, trainer_state.json, DeepSpeed's `latest` — plus the
/// stride-0 torch files of Tests/Fixtures/reliability. The corpus is the committed fixtures
/// (made by scripts/gen_fixtures.py and scripts/gen_reliability_fixtures.py); the budget is
/// fixed (`WWMON_FUZZ_ITERATIONS` per target, default 120) so CI time is bounded. Every outcome
/// must be a result or a CheckpointError naming a file: never a trap, a hang or another error.
@Suite struct LayoutFuzzTests {
    static var iterations: Int {
        Int(ProcessInfo.processInfo.environment["WWMON_FUZZ_ITERATIONS"] ?? "") ?? 120
    }

    /// (folder or file under Tests/Fixtures, the file in it to mutate; nil = the file itself)
    static let targets: [(String, String?)] = [
        ("torch/sharded", "pytorch_model.bin.index.json"),
        ("torch/hf_bin/checkpoint-10", "trainer_state.json"),
        ("torch/hf_safetensors/checkpoint-10", "trainer_state.json"),
        ("torch/deepspeed", "latest"),
        ("reliability/stride0_wide.pt", nil),
        ("reliability/stride0_huge.pt", nil),
    ]

    static let interesting: [UInt8] = Array("{}[]\",:-0123456789eE.NaInfity\\/ ".utf8) + [0x00, 0x0a, 0x1b, 0x7f, 0xc3, 0xff]

    static func mutate(_ base: [UInt8], rng: inout SplitMix64) -> [UInt8] {
        var b = base
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !b.isEmpty else { b = [interesting.randomElement(using: &rng)!]; continue }
            let at = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: b[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 1: b[at] = interesting.randomElement(using: &rng)!
            case 2: b.removeSubrange(at...)
            case 3: b.insert(contentsOf: (0..<Int.random(in: 1...12, using: &rng)).map { _ in interesting.randomElement(using: &rng)! }, at: at)
            case 4: b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...24, using: &rng)))
            case 5:  // numbers that break things: huge, negative, non-finite spellings
                let n = ["1e308", "-1", "NaN", "Infinity", "18446744073709551616", "0", "1e-320"].randomElement(using: &rng)!
                b.replaceSubrange(at..<min(b.count, at + 1), with: Array(n.utf8))
            default:  // duplicate a slice (repeated keys, nested brackets)
                let end = min(b.count, at + Int.random(in: 1...64, using: &rng))
                b.insert(contentsOf: b[at..<end], at: end)
            }
        }
        return b
    }

    static func copyTree(_ from: String, to: String) throws {
        try? FileManager.default.removeItem(atPath: to)
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    @Test("seeded mutations of index, trainer_state, latest and stride-0 files: results or named errors",
          arguments: [0xF01D_0001, 0xF01D_0002] as [UInt64])
    func mutations(seed: UInt64) async throws {
        var rng = SplitMix64(state: seed)
        let scratch = try TempDir()
        var opened = 0, refused = 0
        for (rel, side) in Self.targets {
            let source = Fixtures.repoRoot.appendingPathComponent("Tests/Fixtures/" + rel).path
            let copy = scratch.file(FileSystem.baseName(rel))
            try Self.copyTree(source, to: copy)
            let victim = side.map { copy + "/" + $0 } ?? copy
            let original = try readBytes(side.map { source + "/" + $0 } ?? source)
            for i in 0..<Self.iterations {
                // Let the other suites' tasks run: this loop is seconds of CPU on a shared pool.
                await Task.yield()
                try Data(Self.mutate(original, rng: &rng)).write(to: URL(fileURLWithPath: victim))
                do {
                    let c = try CheckpointReader.open(copy)
                    for t in c.tensors where t.dtype.isFloatingPoint {
                        // What Analyzer's memory limit does: never ask for an absurd allocation.
                        var elements = 1, overflow = false
                        for d in t.shape {
                            let (p, o) = elements.multipliedReportingOverflow(by: d)
                            elements = p; overflow = overflow || o
                        }
                        if overflow || elements > 8 << 20 { continue }
                        _ = try TensorReader(chunkSize: 4096).readFloat64(t)
                    }
                    opened += 1
                } catch let e as CheckpointError {
                    #expect(e.description.hasPrefix("/"), "seed \(seed) \(rel) #\(i): \(e)")
                    #expect(!e.description.contains("\n") && !e.description.contains("\u{1b}"),
                            "seed \(seed) \(rel) #\(i): control characters in \(e)")
                    refused += 1
                } catch {
                    Issue.record("seed \(seed) \(rel) #\(i): non-CheckpointError \(error)")
                }
            }
        }
        #expect(opened > 0 && refused > 0, "opened \(opened), refused \(refused)")
    }
}

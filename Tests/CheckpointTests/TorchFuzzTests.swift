import Foundation
import Testing
import TestSupport
@testable import Checkpoint

/// A seeded mutation fuzzer over real fixture bytes: whatever the damage, the readers either
/// throw a CheckpointError or return tensors whose bytes all lie inside the file.
/// (A crash or hang would take the test process down with it; the seed makes any failure replayable.)
struct TorchFuzzTests {
    static let targets: [(String, @Sendable (String) throws -> CheckpointContents)] = [
        ("tied_embeddings.pt", TorchCheckpoint.open), ("protocol4.pt", TorchCheckpoint.open),
        ("views.pt", TorchCheckpoint.open), ("v3_dtypes.pt", TorchCheckpoint.open),
        ("lightning/epoch=1-step=8.ckpt", TorchCheckpoint.open),
        ("deepspeed/global_step40/mp_rank_00_model_states.pt", TorchCheckpoint.open),
        ("numpy/weights.npz", NumpyCheckpoint.open), ("numpy/fortran.npy", NumpyCheckpoint.open),
    ]

    /// Per target and seed; WWMON_FUZZ_ITERATIONS raises it for a long manual run.
    static let iterations = ProcessInfo.processInfo.environment["WWMON_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 100

    /// Byte ranges worth hitting more often than tensor data: the pickle and the zip directory.
    static func hotRanges(_ bytes: [UInt8], path: String) -> [Range<Int>] {
        var ranges = [0..<min(bytes.count, 128), max(0, bytes.count - 512)..<bytes.count]
        if let file = try? ArchiveFile(path: path), let zip = try? ZipArchive(file: file) {
            for e in zip.entries where e.name.hasSuffix(".pkl") || e.name.hasSuffix(".npy") {
                let start = Int(e.dataOffset)
                ranges.append(start..<min(bytes.count, start + Int(min(e.size, 4096))))
            }
        }
        return ranges.filter { !$0.isEmpty }
    }

    static func mutate(_ input: [UInt8], hot: [Range<Int>], rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0..<(1 + rng.below(6)) {
            guard !b.isEmpty else { break }
            let r = hot[rng.below(hot.count)]
            let inHot = rng.below(10) < 8 && r.upperBound <= b.count
            let at = inHot ? r.lowerBound + rng.below(r.count) : rng.below(b.count)
            switch rng.below(7) {
            case 0: b[at] ^= UInt8(1 << rng.below(8))
            case 1: b[at] = UInt8(truncatingIfNeeded: rng.next())
            case 2: b[at] = [0x00, 0xFF, 0x7F, 0x80, 0x28, 0x2e, 0x71, 0x68, 0x52, 0x51][rng.below(10)]
            case 3: b.removeSubrange(at..<min(b.count, at + 1 + rng.below(16)))
            case 4: b.insert(contentsOf: (0..<(1 + rng.below(8))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            case 5: b = Array(b.prefix(at))
            default:
                // Overwrite 4 bytes with a large little-endian length.
                let v = [UInt32.max, 0x7FFF_FFFF, 0x1000_0000, 0xFFFF][rng.below(4)]
                for i in 0..<4 where at + i < b.count { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) }
            }
        }
        return b
    }

    /// Every element a returned reference can reach lies inside its file.
    static func inBounds(_ ref: TensorRef, fileSize: UInt64) -> Bool {
        if ref.elementCount == 0 { return ref.offset <= fileSize }
        let strides = ref.strides ?? RefValues.cStrides(ref.shape)
        var last = 0
        for (d, s) in zip(ref.shape, strides) { last += (d - 1) * s }
        return ref.offset + UInt64((last + 1) * ref.dtype.size) <= fileSize
    }

    @Test("2,400 seeded mutations of real torch / numpy files: errors or in-bounds tensors, never a crash",
          arguments: [0x5EED_0001, 0x5EED_0002, 0x5EED_0003] as [UInt64])
    func mutations(seed: UInt64) throws {
        var rng = SplitMix64(state: seed)
        var opened = 0, refused = 0
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-fuzz-\(seed)-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for (rel, open) in Self.targets {
            let original = try Fixtures.bytes(rel)
            let hot = Self.hotRanges(original, path: Fixtures.path(rel))
            for iteration in 0..<Self.iterations {
                let mutated = Self.mutate(original, hot: hot, rng: &rng)
                try Data(mutated).write(to: URL(fileURLWithPath: scratch))
                do {
                    let c = try open(scratch)
                    opened += 1
                    for ref in c.tensors {
                        #expect(Self.inBounds(ref, fileSize: UInt64(mutated.count)),
                                "seed \(seed) \(rel) #\(iteration): \(ref.name) reaches past the file")
                    }
                } catch is CheckpointError {
                    refused += 1
                } catch {
                    Issue.record("seed \(seed) \(rel) #\(iteration): unexpected error type \(error)")
                }
            }
        }
        #expect(opened + refused == Self.targets.count * Self.iterations)
        #expect(refused > 0, "the mutations should break some files")
    }
}

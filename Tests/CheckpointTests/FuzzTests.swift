import Foundation
import Testing
import TestSupport
@testable import Checkpoint

/// A deterministic mutation fuzzer over a real reference file: open + read either succeeds or
/// throws CheckpointError naming the file — never traps, never throws anything else.
@Suite struct FuzzTests {
    /// Bytes that make JSON interesting when dropped into a header.
    static let interesting: [UInt8] = Array("{}[]\",:-0123456789e.\\ u".utf8) + [0x00, 0x7f, 0x80, 0xc3, 0xff]

    static func mutate(_ base: [UInt8], headerEnd: Int, rng: inout SplitMix64) -> [UInt8] {
        var b = base
        let rounds = Int.random(in: 1...3, using: &rng)
        for _ in 0..<rounds {
            guard !b.isEmpty else { break }
            // Mostly aim at the header (the part a parser can get wrong); sometimes anywhere.
            let inHeader = Int.random(in: 0..<4, using: &rng) != 0
            let limit = inHeader ? min(headerEnd, b.count) : b.count
            let at = Int.random(in: 0..<max(1, limit), using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: b[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 1: b[at] = interesting.randomElement(using: &rng)!
            case 2: b[at] = UInt8.random(in: 0...255, using: &rng)
            case 3: b.removeSubrange(Int.random(in: 0..<b.count, using: &rng)...)  // truncate
            case 4: b.insert(contentsOf: (0..<Int.random(in: 1...16, using: &rng)).map { _ in interesting.randomElement(using: &rng)! }, at: at)
            case 5: b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...16, using: &rng)))
            case 6:  // a digit replaced by a long number (offsets / shapes / header length)
                b.replaceSubrange(at..<min(b.count, at + 1), with: Array(String(UInt64.random(in: 0...UInt64.max, using: &rng)).utf8))
            default:  // the header-length field itself
                let v = [UInt64(0), 1, 7, 8, UInt64(headerEnd - 8) - 1, UInt64(headerEnd - 8) + 1, UInt64(b.count), 100_000_000, UInt64.max]
                    .randomElement(using: &rng)!
                let le = leBytes(v)
                for k in 0..<min(8, b.count) { b[k] = le[k] }
            }
        }
        return b
    }

    /// 2000 mutations (bit flips, byte sets, truncations, insertions, deletions, long numbers,
    /// header-length rewrites) of d_conv2d's model.safetensors, seed 0x5EED.
    @Test func mutatedReferenceFileNeverTraps() throws {
        let base = try readBytes(TestPaths.casePath("d_conv2d_64x32x3x3"))
        let n = base.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        let tmp = try TempDir()
        let path = tmp.file("fuzz.safetensors")
        var rng = SplitMix64(state: 0x5EED)
        var opened = 0, failed = 0
        let reader = TensorReader(chunkSize: 4096)
        for i in 0..<2000 {
            let bytes = Self.mutate(base, headerEnd: 8 + n, rng: &rng)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let c = try CheckpointReader.open(path)
                for t in c.tensors {
                    if t.dtype.isFloatingPoint { _ = try reader.readFloat64(t) }
                    _ = try reader.contentHash(t)
                }
                #expect(try Completeness.check(path), "iteration \(i): opened but not complete")
                opened += 1
            } catch let e as CheckpointError {
                #expect(e.path == path && e.description.hasPrefix(path + ": "), "iteration \(i): \(e)")
                failed += 1
            } catch {
                Issue.record("iteration \(i): non-CheckpointError \(error)")
            }
        }
        // Both outcomes occur (data-only mutations still open), so the fuzzer exercises both paths.
        #expect(opened > 50 && failed > 500, "opened \(opened), failed \(failed)")
    }

    /// The same fuzzer against a header that uses every float dtype plus ints and metadata, so
    /// mutations reach the dtype table, metadata checks and the widening of each type.
    @Test func mutatedMixedDTypeFileNeverTraps() throws {
        let tensors: [SafetensorsWriter.Tensor] = [
            .init(name: "a.weight", dtype: "F64", shape: [4, 4], data: f64Bytes((0..<16).map(Double.init))),
            .init(name: "b.weight", dtype: "BF16", shape: [8, 2], data: (0..<32).map { UInt8($0 * 7 & 0xff) }),
            .init(name: "c.weight", dtype: "F16", shape: [2, 2, 2, 2], data: (0..<32).map { UInt8($0 * 13 & 0xff) }),
            .init(name: "d", dtype: "F8_E4M3", shape: [16], data: (0..<16).map { UInt8($0 * 17 & 0xff) }),
            .init(name: "e", dtype: "F8_E5M2", shape: [16], data: (0..<16).map { UInt8($0 * 19 & 0xff) }),
            .init(name: "f", dtype: "I32", shape: [3], data: [UInt8](repeating: 9, count: 12)),
            .init(name: "g", dtype: "BOOL", shape: [], data: [1]),
        ]
        let base = SafetensorsWriter.bytes(tensors, metadata: ["format": "pt", "step": "12"])
        let n = base.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        let tmp = try TempDir()
        let path = tmp.file("mixed.safetensors")
        var rng = SplitMix64(state: 0xF00D)
        var opened = 0
        for i in 0..<1500 {
            try Data(Self.mutate(base, headerEnd: 8 + n, rng: &rng)).write(to: URL(fileURLWithPath: path))
            do {
                let c = try CheckpointReader.open(path)
                for t in c.tensors where t.dtype.isFloatingPoint { _ = try TensorReader().readFloat64(t) }
                opened += 1
            } catch is CheckpointError {
            } catch {
                Issue.record("iteration \(i): non-CheckpointError \(error)")
            }
        }
        #expect(opened > 20)
    }
}

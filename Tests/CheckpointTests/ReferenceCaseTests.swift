import Foundation
import Testing
@testable import Checkpoint
import TestSupport

/// The committed reference cases (Tests/Fixtures/reference, written by safetensors 0.8.0 from numpy / torch) read back right.
@Suite struct ReferenceCaseTests {
    /// Every case's model.safetensors opens, lists its tensors in Python `sorted` order, and every
    /// float tensor's values equal the case's weights.npz (committed for d) (numpy's own bytes, decoded by a separate
    /// test-local reader): proves header parsing, offsets, order and F32/F16 widening end to end.
    @Test(arguments: TestPaths.caseNames)
    func readsCaseAndMatchesNpz(caseName: String) throws {
        let path = try TestPaths.casePath(caseName)
        let contents = try CheckpointReader.open(path)
        #expect(contents.format == .safetensors)
        #expect(contents.files == [path])
        let names = contents.tensors.map(\.name)
        #expect(!names.isEmpty)
        #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })

        // Only d's weights.npz is committed: the others would double the fixtures' size
        // (Tests/Fixtures/reference/README.md); e_* are checked against c below.
        guard caseName == "d_conv2d_64x32x3x3" else { return }
        let npzPath = try TestPaths.casePath(caseName, "weights.npz")
        let npz = try NpzTestReader.read(npzPath)
        #expect(Set(npz.keys) == Set(names), "same tensor names as numpy saved")
        let reader = TensorReader()
        for t in contents.tensors {
            let expected = try #require(npz[t.name])
            #expect(t.shape == expected.shape, "\(t.name) shape")
            let values = try reader.readFloat64(t)
            let truth: [Double]
            switch expected.descr {
            case "<f4":
                truth = expected.payload.withUnsafeBytes { b in
                    (0..<(b.count / 4)).map { Double(Float(bitPattern: b.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
                }
                #expect(t.dtype == .f32)
            case "<f2":
                truth = expected.payload.withUnsafeBytes { b in
                    (0..<(b.count / 2)).map { Double(Float(Float16(bitPattern: b.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)))) }
                }
                #expect(t.dtype == .f16)
            default:
                Issue.record("unexpected npz dtype \(expected.descr) for \(t.name)")
                continue
            }
            #expect(values.count == truth.count)
            let mismatches = zip(values, truth).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(mismatches == 0, "\(caseName)/\(t.name): \(mismatches) values differ from numpy's")
        }
    }

    /// e_mixed_f16 and e_mixed_bf16 are c_mixed_f32 rounded to nearest-even by numpy / torch. The
    /// reader's F16 and BF16 values equal that rounding done here independently (Swift's hardware
    /// Float16 conversion; integer round-to-nearest-even for bfloat16): proves both decoders.
    @Test func halfAndBFloat16MatchIndependentRoundingOfF32Case() throws {
        let reader = TensorReader()
        let f32 = try CheckpointReader.open(TestPaths.casePath("c_mixed_f32"))
        let f16 = try CheckpointReader.open(TestPaths.casePath("e_mixed_f16"))
        let bf16 = try CheckpointReader.open(TestPaths.casePath("e_mixed_bf16"))
        #expect(f32.tensors.map(\.name) == f16.tensors.map(\.name))
        #expect(f32.tensors.map(\.name) == bf16.tensors.map(\.name))
        #expect(f16.tensors.allSatisfy { $0.dtype == .f16 })
        #expect(bf16.tensors.allSatisfy { $0.dtype == .bf16 })
        for ((a, h), b) in zip(zip(f32.tensors, f16.tensors), bf16.tensors) {
            #expect(a.shape == h.shape && a.shape == b.shape)
            let source = try reader.readFloat64(a)
            let halfValues = try reader.readFloat64(h)
            let bfValues = try reader.readFloat64(b)
            var badHalf = 0, badBF = 0
            for i in source.indices {
                let x = Float(source[i])
                if Double(Float(Float16(x))).bitPattern != halfValues[i].bitPattern { badHalf += 1 }
                // bfloat16 round-to-nearest-even of the f32 bits (inputs are finite).
                let bits = x.bitPattern
                let rounded = (bits &+ 0x7fff &+ ((bits >> 16) & 1)) & 0xffff_0000
                if Double(Float(bitPattern: rounded)).bitPattern != bfValues[i].bitPattern { badBF += 1 }
            }
            #expect(badHalf == 0, "\(h.name): \(badHalf) F16 values differ")
            #expect(badBF == 0, "\(b.name): \(badBF) BF16 values differ")
        }
    }

    /// A case folder opened as a directory (WW's `pystatedict_dir` route) lists the same tensors
    /// as the file, and weights.npz beside it is not mistaken for weights.
    @Test func caseFolderOpensLikeItsFile() throws {
        let dir = try ReferenceFixtures.caseFolder("d_conv2d_64x32x3x3")   // the case with weights.npz
        let viaDir = try CheckpointReader.open(dir)
        let viaFile = try CheckpointReader.open(dir + "/model.safetensors")
        #expect(viaDir.tensors == viaFile.tensors)
        #expect(viaDir.format == .safetensors)
        #expect(viaDir.files == [dir + "/model.safetensors"])
    }

    /// Sniffing by content: the reference file is recognised from its bytes even when renamed
    /// without the .safetensors extension.
    @Test func sniffsSafetensorsByContentNotExtension() throws {
        let tmp = try TempDir()
        let renamed = try tmp.write("weights.bin", try readBytes(TestPaths.casePath("d_conv2d_64x32x3x3")))
        let c = try CheckpointReader.open(renamed)
        #expect(c.format == .safetensors)
        #expect(c.tensors.contains { $0.shape.count == 4 })
        #expect(try Completeness.check(renamed))
    }
}

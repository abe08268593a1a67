import Foundation
import Testing
@testable import Checkpoint

/// TensorReader: exact widening of every float dtype, strided and big-endian reads, chunking,
/// read-time re-validation, and the content hash.
@Suite struct TensorReaderTests {
    /// All 65536 binary16 bit patterns decode to exactly what Swift's own Float16 -> Double
    /// conversion gives (subnormals, ±0, ±inf; NaN stays NaN): proves the hand-written F16 decoder.
    @Test func halfDecoderMatchesFloat16ForEveryBitPattern() {
        var mismatches = 0
        for bits in 0...UInt16.max {
            let mine = FloatWidening.half(bits)
            let truth = Double(Float16(bitPattern: bits))
            if truth.isNaN ? !mine.isNaN : mine.bitPattern != truth.bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    /// BF16 is the top half of an F32; E5M2 the top byte of an F16 (checked for all 256 bytes).
    @Test func bfloat16AndE5M2AreTruncatedWiderFormats() {
        for bits in stride(from: 0, through: 0xffff, by: 7).map({ UInt16($0) }) {
            let truth = Double(Float(bitPattern: UInt32(bits) << 16))
            let mine = FloatWidening.bfloat16(bits)
            #expect(truth.isNaN ? mine.isNaN : mine.bitPattern == truth.bitPattern)
        }
        for b in 0...UInt8.max {
            let truth = Double(Float16(bitPattern: UInt16(b) << 8))
            let mine = FloatWidening.e5m2(b)
            #expect(truth.isNaN ? mine.isNaN : mine.bitPattern == truth.bitPattern)
        }
        #expect(FloatWidening.e5m2(0x7c) == .infinity)
        #expect(FloatWidening.e5m2(0x3c) == 1.0)
    }

    /// float8_e4m3fn values from the spec (§1.2, checked there against torch 2.15): 0x38 = 1.0,
    /// 0x7e = 448 (max), 0x7f and 0xff NaN (no infinities), 0x01 = 2^-9 (smallest subnormal),
    /// 0x08 = 2^-6 (smallest normal), 0x80 = -0.
    @Test func e4m3MatchesSpecValues() {
        #expect(FloatWidening.e4m3(0x38) == 1.0)
        #expect(FloatWidening.e4m3(0x7e) == 448.0)
        #expect(FloatWidening.e4m3(0xfe) == -448.0)
        #expect(FloatWidening.e4m3(0x7f).isNaN)
        #expect(FloatWidening.e4m3(0xff).isNaN)
        #expect(FloatWidening.e4m3(0x01) == 0x1p-9)
        #expect(FloatWidening.e4m3(0x07) == 7 * 0x1p-9)
        #expect(FloatWidening.e4m3(0x08) == 0x1p-6)
        #expect(FloatWidening.e4m3(0x80).bitPattern == (-0.0).bitPattern)
        #expect(FloatWidening.e4m3(0x3c) == 1.5)
        #expect(FloatWidening.e4m3(0x78) == 256.0)
        // No value but the two NaNs is non-finite.
        #expect((0...UInt8.max).filter { !FloatWidening.e4m3($0).isFinite } == [0x7f, 0xff])
    }

    /// Every float dtype read from a written file gives the exact values, with the chunk size set
    /// small so reads cross chunk boundaries; integer tensors are listed but refused for widening.
    @Test func readsEveryFloatDTypeAcrossChunkBoundaries() throws {
        let tmp = try TempDir()
        let f32: [Float] = (0..<301).map { Float($0) * 0.37 - 50 }
        let f64: [Double] = (0..<157).map { Double($0) * .pi - 99 }
        let halfBits: [UInt16] = (0..<333).map { UInt16(truncatingIfNeeded: $0 &* 197) & 0x7bff }
        let path = try tmp.write("m.safetensors", SafetensorsWriter.bytes([
            .init(name: "d", dtype: "F64", shape: [157], data: f64Bytes(f64)),
            .init(name: "f", dtype: "F32", shape: [7, 43], data: f32Bytes(f32)),
            .init(name: "h", dtype: "F16", shape: [333], data: halfBits.flatMap(leBytes)),
            .init(name: "b", dtype: "BF16", shape: [333], data: halfBits.flatMap(leBytes)),
            .init(name: "e4", dtype: "F8_E4M3", shape: [16, 16], data: (0...255).map { UInt8($0) }),
            .init(name: "e5", dtype: "F8_E5M2", shape: [256], data: (0...255).map { UInt8($0) }),
            .init(name: "i", dtype: "I64", shape: [3], data: [UInt8](repeating: 1, count: 24)),
        ]))
        let c = try CheckpointReader.open(path)
        #expect(c.tensors.map(\.name) == ["b", "d", "e4", "e5", "f", "h", "i"])
        let tensor = { (n: String) in c.tensors.first { $0.name == n }! }
        for reader in [TensorReader(), TensorReader(chunkSize: 64), TensorReader(chunkSize: 100)] {
            #expect(try reader.readFloat64(tensor("d")) == f64)
            #expect(try reader.readFloat64(tensor("f")) == f32.map(Double.init))
            #expect(try reader.readFloat64(tensor("h")) == halfBits.map { Double(Float16(bitPattern: $0)) })
            #expect(try reader.readFloat64(tensor("b")) == halfBits.map { Double(Float(bitPattern: UInt32($0) << 16)) })
            let e4 = try reader.readFloat64(tensor("e4"))
            #expect(e4.count == 256 && e4[0x38] == 1 && e4[0x7e] == 448 && e4[0x7f].isNaN)
            let e5 = try reader.readFloat64(tensor("e5"))
            #expect(e5[0x3c] == 1 && e5[0x7c] == .infinity)
        }
        let intError = checkpointError { _ = try TensorReader().readFloat64(tensor("i")) }
        #expect(intError?.description.contains("not a floating-point type") == true)
    }

    /// A non-contiguous view (transpose, and a step-2 slice of a wider storage) reads as the
    /// logical tensor in row-major order, also with a window smaller than the span.
    @Test func stridedViewsGatherInLogicalOrder() throws {
        let tmp = try TempDir()
        // Storage: a 6 x 10 row-major matrix s[r][c] = r*100 + c.
        let storage: [Float] = (0..<60).map { Float(($0 / 10) * 100 + $0 % 10) }
        let path = try tmp.write("raw.bin", [UInt8](repeating: 0xee, count: 12) + f32Bytes(storage))
        for reader in [TensorReader(), TensorReader(chunkSize: 64)] {
            // Transposed view: shape [10, 6], strides [1, 10].
            let t = TensorRef(name: "t", dtype: .f32, shape: [10, 6], file: path, offset: 12, strides: [1, 10])
            let transposed = try reader.readFloat64(t)
            let expectedTranspose: [Double] = (0..<60).map { (i: Int) -> Double in Double((i % 6) * 100 + i / 6) }
            #expect(transposed == expectedTranspose)
            // Every other column of rows 1...4: offset of s[1][0], shape [4, 5], strides [10, 2].
            let s = TensorRef(name: "s", dtype: .f32, shape: [4, 5], file: path, offset: 12 + 40, strides: [10, 2])
            let expectedSlice: [Double] = (0..<20).map { (i: Int) -> Double in
                let row = i / 5 + 1, col = (i % 5) * 2
                return Double(row * 100 + col)
            }
            #expect(try reader.readFloat64(s) == expectedSlice)
            // readRaw yields the same logical order as bytes; the hash equals that of a contiguous copy.
            var raw: [UInt8] = []
            try reader.readRaw(t) { raw += $0 }
            let copy = try tmp.write("copy.bin", raw)
            let contiguous = TensorRef(name: "t", dtype: .f32, shape: [10, 6], file: copy, offset: 0)
            #expect(try reader.readFloat64(contiguous) == transposed)
            #expect(try reader.contentHash(t) == reader.contentHash(contiguous))
        }
        // A stride reaching past the end of the file is refused before reading.
        let bad = TensorRef(name: "x", dtype: .f32, shape: [10, 6], file: path, offset: 12, strides: [1, 11])
        let e = checkpointError { _ = try TensorReader().readFloat64(bad) }
        #expect(e?.description.contains("truncated") == true)
    }

    /// Big-endian descriptors (as some .npy files have) are byte-swapped on read.
    @Test func bigEndianBytesAreSwapped() throws {
        let tmp = try TempDir()
        let values: [Float] = [1.5, -2.25, 1e-30, 65504]
        let path = try tmp.write("be.bin", values.flatMap { beBytes($0.bitPattern) } + [0x3c, 0x00])
        let t = TensorRef(name: "w", dtype: .f32, shape: [2, 2], file: path, offset: 0, bigEndian: true)
        #expect(try TensorReader().readFloat64(t) == values.map(Double.init))
        let h = TensorRef(name: "h", dtype: .f16, shape: [], file: path, offset: 16, bigEndian: true)
        #expect(try TensorReader().readFloat64(h) == [1.0])
    }

    /// A file that shrinks or is rewritten after its tensors were listed gives a clear error at
    /// read time, not a crash or stale values.
    @Test func fileChangedAfterListingIsReported() throws {
        let tmp = try TempDir()
        let bytes = SafetensorsWriter.bytes([.init(name: "w", dtype: "F32", shape: [64, 64], data: f32Bytes((0..<4096).map(Float.init)))])
        let path = try tmp.write("m.safetensors", bytes)
        let t = try #require(CheckpointReader.open(path).tensors.first)
        try tmp.write("m.safetensors", Array(bytes.prefix(bytes.count - 100)))
        let shrunk = checkpointError { _ = try TensorReader().readFloat64(t) }
        #expect(shrunk == .fileChanged(path: path, detail: "size was \(bytes.count) bytes when its tensors were listed, now \(bytes.count - 100)"))
        // Without the recorded size, the bounds check alone catches it.
        var loose = t
        loose.expectedFileSize = nil
        let e = checkpointError { _ = try TensorReader().readFloat64(loose) }
        #expect(e?.description.hasPrefix("\(path): truncated: tensor \"w\" needs bytes") == true)
        try FileManager.default.removeItem(atPath: path)
        #expect(checkpointError { _ = try TensorReader().readFloat64(t) } == .notFound(path: path))
    }

    /// XXH64 against the published test vectors (empty input, "abc", and a 39-byte string that
    /// crosses the 32-byte stripe), and streaming in odd pieces gives the same digest.
    @Test func contentHashIsXXH64() throws {
        func xxh(_ s: String, pieces: Int = 1) -> UInt64 {
            var h = XXH64()
            let bytes = Array(s.utf8)
            let step = max(1, bytes.count / pieces)
            var i = 0
            while i < bytes.count {
                let part = Array(bytes[i..<min(bytes.count, i + step)])
                part.withUnsafeBytes { h.update($0) }
                i += step
            }
            return h.finalize()
        }
        #expect(xxh("") == 0xEF46_DB37_51D8_E999)
        #expect(xxh("abc") == 0x44BC_2CF5_AD77_0999)
        #expect(xxh("Nobody inspects the spammish repetition") == 0xFBCE_A83C_8A37_8BF1)
        let long = String(repeating: "wwmon checkpoint bytes ", count: 50)
        #expect(xxh(long) == xxh(long, pieces: 7))
        #expect(xxh(long) == xxh(long, pieces: 1000))

        // On a reference file: stable, chunk-size independent, and changes with one flipped bit.
        let t = try #require(CheckpointReader.open(TestPaths.casePath("d_conv2d_64x32x3x3")).tensors.last)
        let h1 = try TensorReader().contentHash(t)
        #expect(h1.count == 16)
        #expect(try TensorReader(chunkSize: 96).contentHash(t) == h1)
        let tmp = try TempDir()
        var bytes = try readBytes(TestPaths.casePath("d_conv2d_64x32x3x3"))
        bytes[Int(t.offset) + 5] ^= 0x10
        let flipped = try tmp.write("m.safetensors", bytes)
        let t2 = try #require(CheckpointReader.open(flipped).tensors.last)
        #expect(try TensorReader().contentHash(t2) != h1)
    }
}

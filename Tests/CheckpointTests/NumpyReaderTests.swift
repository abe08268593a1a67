import Foundation
import Testing
@testable import Checkpoint

/// .npy / .npz files written by numpy (scripts/gen_fixtures.py) and crafted broken ones.
struct NumpyReaderTests {
    @Test("npy arrays: C order, Fortran order (strides), big-endian and f16 read as numpy wrote them",
          arguments: ["c_order", "fortran", "big_endian", "half"])
    func npy(name: String) throws {
        let e = try Fixtures.expected("npy_\(name)")
        let c = try NumpyCheckpoint.open(Fixtures.path(e.fixture))
        try checkAgainstExpected(c, e)
    }

    @Test("Fortran order becomes column-major strides; big-endian is flagged")
    func layoutFlags() throws {
        let f = try NumpyCheckpoint.open(Fixtures.path("numpy/fortran.npy")).tensors[0]
        #expect(f.shape == [48, 20] && f.strides == [1, 48] && f.dtype == .f64)
        let b = try NumpyCheckpoint.open(Fixtures.path("numpy/big_endian.npy")).tensors[0]
        #expect(b.bigEndian && b.strides == nil && b.dtype == .f32)
        #expect(b.offset == 128, "np.save pads the header so data starts 64-aligned")
    }

    @Test("npz from np.savez: every array, names without .npy, data offsets inside the zip")
    func npz() throws {
        let e = try Fixtures.expected("npz_weights")
        let c = try NumpyCheckpoint.open(Fixtures.path(e.fixture))
        try checkAgainstExpected(c, e)
    }

    @Test("npz from np.savez_compressed: the same arrays, values and hashes as np.savez of the same data")
    func compressed() throws {
        let stored = try NumpyCheckpoint.open(Fixtures.path("numpy/weights.npz"))
        let packed = try NumpyCheckpoint.open(Fixtures.path("numpy/compressed.npz"))
        #expect(packed.tensors.map(\.name) == stored.tensors.map(\.name))
        #expect(packed.tensors.allSatisfy { $0.deflated != nil })
        // Small chunks: inflation and the Fortran-order reorder cross many chunk boundaries.
        for reader in [TensorReader(), TensorReader(chunkSize: 64)] {
            for (a, b) in zip(stored.tensors, packed.tensors) where a.dtype.isFloatingPoint {
                #expect(a.shape == b.shape && a.strides == b.strides && a.bigEndian == b.bigEndian)
                #expect(try reader.readFloat64(a) == reader.readFloat64(b), "\(a.name)")
                #expect(try reader.contentHash(a) == reader.contentHash(b), "\(a.name)")
            }
        }
    }

    @Test("a corrupt or truncated np.savez_compressed member names the file and the member")
    func compressedBroken() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.path("numpy/compressed.npz"))))
        let c = try NumpyCheckpoint.open(Fixtures.path("numpy/compressed.npz"))
        let d = try #require(c.tensors.first { $0.name == "layer1.weight" }?.deflated)
        // Garbage in the middle of the member's DEFLATE stream.
        var bad = bytes
        for i in Int(d.dataOffset) + 40..<Int(d.dataOffset) + 200 { bad[i] = 0xFF }
        let p = try Fixtures.temp(bad, suffix: ".npz")
        defer { try? FileManager.default.removeItem(atPath: p) }
        var ref = c.tensors.first { $0.name == "layer1.weight" }!
        ref.file = p
        #expect {
            _ = try TensorReader().readFloat64(ref)
        } throws: { error in
            "\(error)".contains(p) && "\(error)".contains("layer1.weight.npy")
        }
        // The listed member cut short (the file truncated after listing).
        let cut = try Fixtures.temp(Array(bytes[0..<Int(d.dataOffset) + 100]), suffix: ".npz")
        defer { try? FileManager.default.removeItem(atPath: cut) }
        ref.file = cut
        #expect {
            _ = try TensorReader().readFloat64(ref)
        } throws: { error in
            "\(error)".contains(cut) && "\(error)".contains("layer1.weight.npy")
        }
    }

    func npyBytes(_ header: String, data: [UInt8]) -> [UInt8] {
        var h = Array(header.utf8)
        while (10 + h.count + 1) % 64 != 0 { h.append(0x20) }
        h.append(0x0A)
        return NpyHeader.magic + [1, 0] + ZipBuilder.le(UInt16(h.count)) + h + data
    }

    @Test("broken npy files: truncated data, trailing bytes, object/complex dtypes, bad headers",
          arguments: [
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 40, "truncated"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 20, "bytes after the array data"),
            ("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16, "unsupported dtype '|O'"),
            ("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16, "unsupported dtype '<c8'"),
            ("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8, "structured"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8, "negative"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999999), }", 8, "overflows"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 8, "unterminated"),
            ("__import__('os').system('x')", 8, "unexpected token '__import__'"),
          ] as [(String, Int, String)])
    func brokenNpy(header: String, dataBytes: Int, fragment: String) throws {
        let p = try Fixtures.temp(npyBytes(header, data: [UInt8](repeating: 0, count: dataBytes)), suffix: ".npy")
        defer { try? FileManager.default.removeItem(atPath: p) }
        expectRefusal(p, fragment, open: NumpyCheckpoint.open)
    }

    @Test("an empty Fortran-order array with huge other dimensions reads as empty (no stride overflow)")
    func emptyFortran() throws {
        let p = try Fixtures.temp(npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (0, 4611686018427387904, 4611686018427387904), }", data: []), suffix: ".npy")
        defer { try? FileManager.default.removeItem(atPath: p) }
        let t = try NumpyCheckpoint.open(p).tensors[0]
        #expect(t.shape == [0, 4611686018427387904, 4611686018427387904] && t.strides == nil && t.elementCount == 0)
    }

    @Test("a hand-made npy header with Python-2 style values parses like numpy's")
    func headerParser() throws {
        let h = try NpyHeader(npyBytes("{\"descr\": \">i2\", \"shape\": (3L, 1L), \"fortran_order\": True}", data: []))
        #expect(h.dtype == .i16 && h.bigEndian && h.shape == [3, 1] && h.fortranOrder && h.dataStart % 64 == 0)
    }

    @Test("an npz with a truncated central directory is refused as incomplete")
    func truncatedNpz() throws {
        let b = try Fixtures.bytes("numpy/weights.npz")
        let p = try Fixtures.temp(Array(b.dropLast(30)), suffix: ".npz")
        defer { try? FileManager.default.removeItem(atPath: p) }
        expectRefusal(p, "incomplete or truncated zip", open: NumpyCheckpoint.open)
    }
}

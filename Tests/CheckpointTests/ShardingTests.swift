import Foundation
import Testing
@testable import Checkpoint

/// Sharded (`model.safetensors.index.json`) and multi-file folders, built by splitting a real
/// reference file's tensors into valid shards written here.
@Suite struct ShardingTests {
    /// The tensors of c_mixed_f32 with their bytes, in the file's order.
    static func referenceTensors() throws -> [SafetensorsWriter.Tensor] {
        let c = try CheckpointReader.open(TestPaths.casePath("c_mixed_f32"))
        let bytes = try readBytes(TestPaths.casePath("c_mixed_f32"))
        return c.tensors.map { t in
            SafetensorsWriter.Tensor(name: t.name, dtype: t.dtype.rawValue, shape: t.shape,
                                     data: Array(bytes[Int(t.offset)..<(Int(t.offset) + t.byteCount)]))
        }
    }

    /// Writes shards `model-0000k-of-0000N.safetensors` (tensor i goes to shard i % N) and an
    /// index mapping each name to its shard (or to `overrides[name]`).
    static func writeSharded(_ tmp: TempDir, shards n: Int, overrides: [String: String] = [:],
                             extraInShard: [Int: SafetensorsWriter.Tensor] = [:]) throws -> (dir: String, map: [String: String]) {
        let tensors = try referenceTensors()
        let dir = try tmp.subdir("checkpoint-1200")
        var map: [String: String] = [:]
        for k in 0..<n {
            let name = "model-\(String(format: "%05d", k + 1))-of-\(String(format: "%05d", n)).safetensors"
            var mine = tensors.enumerated().filter { $0.offset % n == k }.map(\.element)
            if let extra = extraInShard[k] { mine.append(extra) }
            try Data(SafetensorsWriter.bytes(mine.reversed(), metadata: ["format": "pt"])).write(to: URL(fileURLWithPath: dir + "/" + name))
            for t in mine where extraInShard[k]?.name != t.name { map[t.name] = name }
        }
        for (k, v) in overrides { map[k] = v }
        try writeIndex(dir, map)
        return (dir, map)
    }

    static func writeIndex(_ dir: String, _ map: [String: String], raw: String? = nil) throws {
        let body = raw ?? "{\"metadata\": {\"total_size\": 1}, \"weight_map\": {"
            + map.keys.sorted().map { "\(SafetensorsWriter.jsonString($0)): \(SafetensorsWriter.jsonString(map[$0]!))" }.joined(separator: ", ")
            + "}}"
        try Data(body.utf8).write(to: URL(fileURLWithPath: dir + "/model.safetensors.index.json"))
    }

    /// A 3-way split reads back as every tensor exactly once, in WW order (shards by name, names
    /// sorted within each shard), with the same values as the original file; files lists the
    /// index and every shard; the folder name gives the step; Completeness says whole.
    @Test func shardedCheckpointReadsInWeightWatcherOrder() throws {
        let tmp = try TempDir()
        let (dir, map) = try Self.writeSharded(tmp, shards: 3)
        let c = try CheckpointReader.open(dir)
        #expect(c.format == .safetensorsSharded)
        let expectedOrder = Set(map.values).sorted().flatMap { shard in
            map.filter { $0.value == shard }.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        #expect(c.tensors.map(\.name) == expectedOrder)
        #expect(c.files.count == 4 && c.files[0].hasSuffix("/model.safetensors.index.json"))
        #expect(c.step == 1200 && c.stepSource == .name)
        let original = try CheckpointReader.open(TestPaths.casePath("c_mixed_f32"))
        let reader = TensorReader()
        for t in original.tensors {
            let shardRef = try #require(c.tensors.first { $0.name == t.name })
            #expect(try reader.readFloat64(shardRef) == reader.readFloat64(t))
        }
        #expect(try Completeness.check(dir))
    }

    /// A shard named by the index that is not on disk: error naming the index and the shard;
    /// Completeness reports incomplete rather than throwing.
    @Test func missingShardIsAnError() throws {
        let tmp = try TempDir()
        let (dir, _) = try Self.writeSharded(tmp, shards: 3)
        try FileManager.default.removeItem(atPath: dir + "/model-00002-of-00003.safetensors")
        let e = checkpointError { _ = try CheckpointReader.open(dir) }
        #expect(e?.description == "\(dir)/model.safetensors.index.json: inconsistent sharded checkpoint: shard \"model-00002-of-00003.safetensors\" (2 of 3) is missing")
        #expect(try Completeness.check(dir) == false)
    }

    /// A shard missing from both disk and index, detected through the -of-N numbering.
    @Test func shardMissingFromIndexAndDiskIsDetectedByNumbering() throws {
        let tmp = try TempDir()
        let (dir, map) = try Self.writeSharded(tmp, shards: 3)
        try FileManager.default.removeItem(atPath: dir + "/model-00003-of-00003.safetensors")
        try Self.writeIndex(dir, map.filter { !$0.value.hasPrefix("model-00003") })
        let e = checkpointError { _ = try CheckpointReader.open(dir) }
        #expect(e?.description.contains("\"model-00003-of-00003.safetensors\" (3 of 3) is missing") == true)
    }

    /// weight_map puts a name in a shard that does not hold it.
    @Test func nameInWrongShardIsAnError() throws {
        let tmp = try TempDir()
        let names = try Self.referenceTensors().map(\.name)
        // names[0] lives in shard 1; claim it is in shard 2.
        let (dir, _) = try Self.writeSharded(tmp, shards: 2, overrides: [names[0]: "model-00002-of-00002.safetensors"])
        let e = checkpointError { _ = try CheckpointReader.open(dir) }
        #expect(e == .sharding(path: dir + "/model.safetensors.index.json",
            detail: "weight_map puts tensor \"\(names[0])\" in \"model-00002-of-00002.safetensors\", which does not hold it"))
    }

    /// The same tensor name stored in two shards.
    @Test func nameInTwoShardsIsAnError() throws {
        let tmp = try TempDir()
        let tensors = try Self.referenceTensors()
        // tensors[0] is in shard 1 by the split; add a copy to shard 2 as well.
        let (dir, _) = try Self.writeSharded(tmp, shards: 2, extraInShard: [1: tensors[0]])
        let e = checkpointError { _ = try CheckpointReader.open(dir) }
        #expect(e?.description == "\(dir)/model.safetensors.index.json: inconsistent sharded checkpoint: tensor \"\(tensors[0].name)\" is in two shards, \"model-00001-of-00002.safetensors\" and \"model-00002-of-00002.safetensors\"")
    }

    /// The same name mapped twice in the index JSON (JSONSerialization would keep one silently).
    @Test func nameMappedTwiceInIndexIsAnError() throws {
        let tmp = try TempDir()
        let (dir, map) = try Self.writeSharded(tmp, shards: 2)
        let name = map.keys.sorted()[0]
        let entries = map.keys.sorted().map { "\(SafetensorsWriter.jsonString($0)): \"\(map[$0]!)\"" }
        try Self.writeIndex(dir, map, raw: "{\"weight_map\": {" + (entries + ["\(SafetensorsWriter.jsonString(name)): \"model-00002-of-00002.safetensors\""]).joined(separator: ",") + "}}")
        let e = checkpointError { _ = try CheckpointReader.open(dir) }
        #expect(e?.description.contains("key \(quoted(name)) appears twice") == true)
    }

    /// A shard that is truncated makes the sharded checkpoint fail with the shard's own path.
    @Test func truncatedShardNamesTheShard() throws {
        let tmp = try TempDir()
        let (dir, _) = try Self.writeSharded(tmp, shards: 2)
        let shard = dir + "/model-00001-of-00002.safetensors"
        let bytes = try readBytes(shard)
        try tmp.write("checkpoint-1200/model-00001-of-00002.safetensors", Array(bytes.prefix(bytes.count - 10)))
        let e = checkpointError { _ = try CheckpointReader.open(dir) }
        #expect(e?.path == shard)
        #expect(e?.description.contains("truncated") == true)
        #expect(try Completeness.status(dir) == .incomplete(e!))
    }

    /// A folder of model*.safetensors without an index (WW's route): files in name order, names
    /// sorted within each; other *.safetensors and hidden in-flight files are ignored; HF
    /// trainer_state.json supplies step and epoch; a name in two files is an error.
    @Test func folderOfFilesWithoutIndex() throws {
        let tmp = try TempDir()
        let tensors = try Self.referenceTensors()
        let dir = try tmp.subdir("run/checkpoint-7")
        try tmp.write("run/checkpoint-7/model-b.safetensors", SafetensorsWriter.bytes(Array(tensors[0..<3])))
        try tmp.write("run/checkpoint-7/model-a.safetensors", SafetensorsWriter.bytes(Array(tensors[3...])))
        try tmp.write("run/checkpoint-7/other.safetensors", [1, 2, 3])
        try tmp.write("run/checkpoint-7/.tmpAB12CD", [1, 2, 3])
        try tmp.write("run/checkpoint-7/trainer_state.json", Array(#"{"epoch": 1.5, "global_step": 7, "log_history": []}"#.utf8))
        let c = try CheckpointReader.open(dir)
        let sortedNames = { (ts: ArraySlice<SafetensorsWriter.Tensor>) in ts.map(\.name).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
        #expect(c.tensors.map(\.name) == sortedNames(tensors[3...]) + sortedNames(tensors[0..<3]))
        #expect(c.files == [dir + "/model-a.safetensors", dir + "/model-b.safetensors"])
        #expect(c.step == 7 && c.epoch == 1.5 && c.stepSource == .framework)

        try tmp.write("run/checkpoint-7/model-c.safetensors", SafetensorsWriter.bytes([tensors[0]]))
        let e = checkpointError { _ = try CheckpointReader.open(dir) }
        #expect(e == .sharding(path: dir, detail: "tensor \"\(tensors[0].name)\" is in two files, \"model-b.safetensors\" and \"model-c.safetensors\""))
    }

    /// Directories with nothing readable give a clear unsupported-format error.
    @Test func emptyOrTorchOnlyDirectoryIsUnsupported() throws {
        let tmp = try TempDir()
        let empty = try tmp.subdir("empty")
        #expect(checkpointError { _ = try CheckpointReader.open(empty) }
            == .unsupportedFormat(path: empty, detail: "directory holds no checkpoint files (no *.safetensors, pytorch_model.bin.index.json, pytorch_model.bin, mp_rank_00_model_states.pt, zero_pp_rank_0_mp_rank_00_model_states.pt, latest)"))
        let torch = try tmp.subdir("torch")
        try tmp.write("torch/pytorch_model.bin", [0x50, 0x4b, 0x03, 0x04])
        // The torch reader (h-torch) takes torch-only folders; a 4-byte stub is an unfinished zip.
        #expect(checkpointError { _ = try CheckpointReader.open(torch) }?.description.contains("incomplete or truncated zip") == true)
        #expect(checkpointError { _ = try CheckpointReader.open(tmp.file("nope")) } == .notFound(path: tmp.file("nope")))
        #expect(throws: CheckpointError.self) { try Completeness.check(tmp.file("nope")) }
    }

    /// safetensors' save_model records dropped tied tensors as `removed -> kept` metadata pairs.
    @Test func metadataAliasesAndStep() throws {
        let tmp = try TempDir()
        let w = SafetensorsWriter.Tensor(name: "embed.weight", dtype: "F32", shape: [2, 2], data: f32Bytes([1, 2, 3, 4]))
        let path = try tmp.write("m.safetensors", SafetensorsWriter.bytes([w], metadata: [
            "lm_head.weight": "embed.weight", "format": "pt", "step": "300"]))
        let c = try CheckpointReader.open(path)
        #expect(c.aliases == ["lm_head.weight": "embed.weight"])
        #expect(c.step == 300 && c.stepSource == .framework)
    }
}

import Foundation

/// `pytorch_model.bin.index.json` + its shards (formats.md §1.5: same schema as the
/// safetensors index). Tensors: shards in name order, each in pickle order.
enum ShardedTorch {
    static let maxIndexBytes = 64 << 20

    static func open(indexPath: String) throws -> CheckpointContents {
        let weightMap = try readWeightMap(indexPath)
        let dir = FileSystem.parent(indexPath)
        var byShard: [String: [String]] = [:]
        for (name, shard) in weightMap {
            guard !shard.isEmpty, !shard.contains("/"), shard != "..", shard != "." else {
                throw CheckpointError.corrupt(indexPath, "weight_map names shard '\(shard)', which is not a file name in the index's folder")
            }
            byShard[shard, default: []].append(name)
        }
        var tensors: [TensorRef] = []
        var aliases: [String: String] = [:]
        var files = [indexPath]
        var seen = Set<String>()
        for shard in byShard.keys.sorted() {
            let shardPath = FileSystem.join(dir, shard)
            let part = try TorchCheckpoint.readFile(shardPath)
            for name in byShard[shard]! where !part.keys.contains(name) {
                throw CheckpointError.corrupt(indexPath, "weight_map puts '\(name)' in \(shard), which has no such tensor")
            }
            for t in part.contents.tensors {
                guard seen.insert(t.name).inserted else {
                    throw CheckpointError.corrupt(indexPath, "tensor '\(t.name)' appears in two shards")
                }
                tensors.append(t)
            }
            aliases.merge(part.contents.aliases) { a, _ in a }
            files.append(shardPath)
        }
        var contents = CheckpointContents(path: indexPath, format: .torchSharded, tensors: tensors,
                                          aliases: aliases, files: files)
        TensorNames.normalise(&contents)
        return contents
    }

    static func readWeightMap(_ path: String) throws -> [String: String] {
        let file = try ArchiveFile(path: path)
        guard file.size <= UInt64(maxIndexBytes) else { throw CheckpointError.corrupt(path, "index file is larger than \(maxIndexBytes) bytes") }
        let bytes = try file.read(at: 0, count: Int(file.size))
        struct Index: Decodable { let weight_map: [String: String] }
        do {
            return try JSONDecoder().decode(Index.self, from: Data(bytes)).weight_map
        } catch {
            throw CheckpointError.corrupt(path, "not a valid shard index (needs a \"weight_map\" object of tensor name -> shard file): \(error)")
        }
    }
}

/// Directory checkpoints made of safetensors files: an HF sharded set with
/// `model.safetensors.index.json` (spec formats.md §1.5), or a folder of `model*.safetensors`
/// files without an index (WeightWatcher's `pystatedict_dir` route).
enum SafetensorsDirectory {
    static let indexName = "model.safetensors.index.json"
    static let maxIndexBytes: UInt64 = 100_000_000

    /// The index file to use in `dir`, if any: `model.safetensors.index.json`, else the single
    /// `*.safetensors.index.json` present (e.g. `diffusion_pytorch_model.safetensors.index.json`).
    static func indexFile(in names: [String]) -> String? {
        if names.contains(indexName) { return indexName }
        let others = names.filter { $0.hasSuffix(".safetensors.index.json") }
        return others.count == 1 ? others[0] : nil
    }

    /// The safetensors files WeightWatcher would read from `dir`: `model*safetensors`, else
    /// `adapter_model*safetensors`; beyond WW, any `*.safetensors` when neither exists.
    static func weightFiles(in names: [String]) -> [String] {
        let all = names.filter { $0.hasSuffix(".safetensors") }
        let model = all.filter { $0.hasPrefix("model") }
        if !model.isEmpty { return model }
        let adapter = all.filter { $0.hasPrefix("adapter_model") }
        if !adapter.isEmpty { return adapter }
        return all
    }

    // MARK: - Sharded (index)

    struct Sharded {
        var tensors: [TensorRef]
        var metadata: [String: String]
        var files: [String]
    }

    /// Reads a sharded checkpoint. Every name in `weight_map` must be in the shard it names, no
    /// name may be in two shards, and every shard must exist and be whole.
    /// Order: shard files sorted by name, names sorted within each (WeightWatcher's order for
    /// HF indexes, which are written with sorted keys).
    static func readSharded(dir: String, indexName: String) throws -> Sharded {
        let indexPath = FileSystem.join(dir, indexName)
        let json: JSONValue
        do {
            json = try StrictJSONParser.parse(try FileSystem.readSmallFile(indexPath, limit: maxIndexBytes))
        } catch let e as JSONSyntaxError {
            if let key = e.duplicateKey {
                throw CheckpointError.sharding(path: indexPath, detail: "key \(quoted(key)) appears twice in one object (byte \(e.offset))")
            }
            throw CheckpointError.invalidHeader(path: indexPath, detail: "JSON error at byte \(e.offset): \(e.message)")
        }
        guard case .object(let top) = json else {
            throw CheckpointError.invalidHeader(path: indexPath, detail: "index is \(json.kindName), expected an object")
        }
        guard let mapValue = top.first(where: { $0.key == "weight_map" })?.value else {
            throw CheckpointError.invalidHeader(path: indexPath, detail: "no \"weight_map\" object")
        }
        guard case .object(let map) = mapValue else {
            throw CheckpointError.invalidHeader(path: indexPath, detail: "\"weight_map\" is \(mapValue.kindName), expected an object")
        }

        var namesByShard: [String: [String]] = [:]
        for entry in map {
            guard case .string(let shard) = entry.value else {
                throw CheckpointError.invalidHeader(path: indexPath,
                    detail: "weight_map value for \(quoted(entry.key)) is \(entry.value.kindName), expected a file name")
            }
            guard !shard.isEmpty, !shard.contains("/"), shard != ".", shard != ".." else {
                throw CheckpointError.sharding(path: indexPath,
                    detail: "weight_map names shard \(quoted(shard)) for \(quoted(entry.key)); shards must be plain file names in the same folder")
            }
            namesByShard[shard, default: []].append(entry.key)
        }
        let shards = namesByShard.keys.sorted(by: FileSystem.codePointOrder)
        try checkShardNumbering(shards, dir: dir, indexPath: indexPath)

        var tensors: [TensorRef] = []
        var metadata: [String: String] = [:]
        var owner: [String: String] = [:]  // tensor name -> shard holding it
        for shard in shards {
            let shardPath = FileSystem.join(dir, shard)
            let header: SafetensorsHeader
            do {
                header = try SafetensorsFile.read(shardPath)
            } catch CheckpointError.notFound {
                throw CheckpointError.sharding(path: indexPath, detail: "shard \(quoted(shard)) named in the index is missing")
            }
            var byName: [String: TensorRef] = [:]
            for t in header.tensors {
                if let other = owner[t.name] {
                    throw CheckpointError.sharding(path: indexPath,
                        detail: "tensor \(quoted(t.name)) is in two shards, \(quoted(other)) and \(quoted(shard))")
                }
                owner[t.name] = shard
                byName[t.name] = t
            }
            let wanted = namesByShard[shard]!.sorted(by: FileSystem.codePointOrder)
            for name in wanted {
                guard let t = byName[name] else {
                    throw CheckpointError.sharding(path: indexPath,
                        detail: "weight_map puts tensor \(quoted(name)) in \(quoted(shard)), which does not hold it")
                }
                tensors.append(t)
            }
            metadata.merge(header.metadata) { first, _ in first }
        }
        return Sharded(tensors: tensors, metadata: metadata,
                       files: [indexPath] + shards.map { FileSystem.join(dir, $0) })
    }

    /// HF shard names say how many shards there are (`model-00002-of-00005.safetensors`): when
    /// every shard follows that pattern, all numbers 1...N must exist as files.
    private static func checkShardNumbering(_ shards: [String], dir: String, indexPath: String) throws {
        var stems = Set<String>(), totals = Set<Int>()
        for name in shards {
            guard let parsed = parseShardName(name) else { return }
            stems.insert(parsed.stem); totals.insert(parsed.total)
        }
        guard stems.count == 1, totals.count == 1, let stem = stems.first, let total = totals.first,
              total <= 100_000 else { return }
        let ext = ".safetensors"
        for k in 1...max(total, 1) {
            let name = "\(stem)-\(pad5(k))-of-\(pad5(total))\(ext)"
            switch try? FileSystem.kind(FileSystem.join(dir, name)) {
            case .file: continue
            case .other(let what):
                throw CheckpointError.sharding(path: indexPath, detail: "shard \(quoted(name)) (\(k) of \(total)) is \(what), not a regular file")
            default:
                throw CheckpointError.sharding(path: indexPath, detail: "shard \(quoted(name)) (\(k) of \(total)) is missing")
            }
        }
    }

    private static func pad5(_ k: Int) -> String {
        let s = String(k)
        return s.count >= 5 ? s : String(repeating: "0", count: 5 - s.count) + s
    }

    /// "model-00002-of-00005.safetensors" -> ("model", 2, 5).
    static func parseShardName(_ name: String) -> (stem: String, index: Int, total: Int)? {
        guard name.hasSuffix(".safetensors") else { return nil }
        let base = name.dropLast(".safetensors".count)
        let parts = base.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[parts.count - 2] == "of",
              let total = Int(parts[parts.count - 1]), let k = Int(parts[parts.count - 3]),
              parts[parts.count - 1].count >= 5, parts[parts.count - 3].count >= 5,
              k >= 1, k <= total else { return nil }
        return (parts[0..<(parts.count - 3)].joined(separator: "-"), k, total)
    }

    // MARK: - Plain folder of files

    /// Reads each file in name order, names sorted within each; a name in two files is an error.
    static func readFiles(dir: String, names: [String]) throws -> Sharded {
        var tensors: [TensorRef] = []
        var metadata: [String: String] = [:]
        var owner: [String: String] = [:]
        for name in names {
            let header = try SafetensorsFile.read(FileSystem.join(dir, name))
            for t in header.tensors {
                if let other = owner[t.name] {
                    throw CheckpointError.sharding(path: dir,
                        detail: "tensor \(quoted(t.name)) is in two files, \(quoted(other)) and \(quoted(name))")
                }
                owner[t.name] = name
            }
            tensors += header.tensors
            metadata.merge(header.metadata) { first, _ in first }
        }
        return Sharded(tensors: tensors, metadata: metadata, files: names.map { FileSystem.join(dir, $0) })
    }
}

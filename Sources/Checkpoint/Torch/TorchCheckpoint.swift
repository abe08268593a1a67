import Foundation

/// Reader for `torch.save` checkpoints: `.pt`, `.pth`, `.bin`, `.ckpt` zip archives, sharded
/// `pytorch_model.bin.index.json`, and the folders training frameworks write around them.
public enum TorchCheckpoint {
    /// Opens a torch checkpoint file, a `pytorch_model.bin.index.json`, or a framework folder
    /// (HF `checkpoint-N/`, DeepSpeed `global_stepN/` or its save dir with `latest`).
    /// Lists the model's tensors (never optimizer/scheduler/RNG state), with names normalised,
    /// tied weights as aliases, and the step/epoch the content or the names give.
    public static func open(_ path: String) throws -> CheckpointContents {
        let path = FileSystem.absolute(path)
        if try FileSystem.kind(path) == .directory { return try FrameworkFolder.open(path) }
        if path.hasSuffix(".index.json") {
            return withProgress(try ShardedTorch.open(indexPath: path), layout: nil, path: path, isFolder: false)
        }
        let (contents, layout) = try openFile(path)
        return withProgress(contents, layout: layout, path: path, isFolder: false)
    }

    /// Sets step, epoch, source and metrics from the file's content, its folder and its name
    /// (`TrainingProgress.find`); `path` is the checkpoint (the file, or its framework folder).
    static func withProgress(_ contents: CheckpointContents, layout: StateDictLayout?, path: String,
                             isFolder: Bool) -> CheckpointContents {
        var contents = contents
        contents.path = path
        TrainingProgress.find(path: path, isFolder: isFolder, content: layout).apply(to: &contents)
        return contents
    }

    /// One archive: tensors in pickle order, tied views as aliases, names normalised, and the
    /// layout the progress comes from (callers decide it with the folder and name).
    static func openFile(_ path: String) throws -> (CheckpointContents, StateDictLayout) {
        var (contents, _, layout) = try readFile(path)
        TensorNames.normalise(&contents)
        return (contents, layout)
    }

    /// `openFile` before name normalisation, plus every key of the weights dict (tensors of
    /// unreadable dtypes included) for shard-index checks.
    static func readFile(_ path: String) throws -> (contents: CheckpointContents, keys: Set<String>, layout: StateDictLayout) {
        let file = try ArchiveFile(path: path)
        let archive = try TorchArchive(file: file)
        let layout = try StateDictLayout(archive.pickle, path: path, scalar: archive.scalar)
        var tensors: [TensorRef] = []
        var aliases: [String: String] = [:]
        // Tied weights: same storage and same view → one tensor, the later names are aliases.
        struct ViewKey: Hashable { let key: String; let offset: Int; let shape: [Int]; let strides: [Int]; let element: String }
        var firstName: [ViewKey: String] = [:]
        for (key, value) in zip(layout.weights.keys, layout.weights.values) {
            guard case .string(let name) = key, case .tensor(let view) = value else { continue }
            let vk = ViewKey(key: view.storage.key, offset: view.storageOffset, shape: view.shape,
                             strides: view.strides, element: view.element.name)
            if let kept = firstName[vk] { aliases[name] = kept; continue }
            guard let ref = try archive.tensorRef(name: name, view: view) else { continue }
            firstName[vk] = name
            tensors.append(ref)
        }
        let contents = CheckpointContents(path: path, format: .torchZip, tensors: tensors, aliases: aliases, files: [path])
        let keys = Set(layout.weights.keys.compactMap { if case .string(let s) = $0 { s } else { nil } })
        return (contents, keys, layout)
    }

}

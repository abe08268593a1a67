import Foundation

/// Checkpoint folders written by training frameworks (formats.md §3.4, §3.5, §4.2):
/// HF Trainer `checkpoint-N/`, DeepSpeed `global_stepN/` and the save dir holding `latest`.
enum FrameworkFolder {
    /// Model files a HF folder may hold, preferred first.
    static let torchModelFiles = ["pytorch_model.bin.index.json", "pytorch_model.bin"]
    static let deepSpeedModelFiles = ["mp_rank_00_model_states.pt", "zero_pp_rank_0_mp_rank_00_model_states.pt"]

    static func open(_ dir: String) throws -> CheckpointContents {
        func has(_ name: String) -> Bool { FileSystem.isRegularFile(FileSystem.join(dir, name)) }

        // HF Trainer: model files plus trainer_state.json (written last). Its numbers outrank the
        // file's own keys, which outrank the folder name.
        if let model = torchModelFiles.first(where: has) {
            let modelPath = FileSystem.join(dir, model)
            var contents: CheckpointContents
            var layout: StateDictLayout?
            if model.hasSuffix(".index.json") {
                contents = try ShardedTorch.open(indexPath: modelPath)
            } else {
                (contents, layout) = try TorchCheckpoint.openFile(modelPath)
            }
            contents = TorchCheckpoint.withProgress(contents, layout: layout, path: dir, isFolder: true)
            let statePath = FileSystem.join(dir, TrainerState.fileName)
            if FileSystem.isRegularFile(statePath) { contents.files.append(statePath) }
            return contents
        }
        // DeepSpeed tag folder.
        if let model = deepSpeedModelFiles.first(where: has) {
            let (contents, layout) = try TorchCheckpoint.openFile(FileSystem.join(dir, model))
            return TorchCheckpoint.withProgress(contents, layout: layout, path: dir, isFolder: true)
        }
        // DeepSpeed save dir: `latest` names the finished tag.
        if has("latest") {
            let latestPath = FileSystem.join(dir, "latest")
            let file = try ArchiveFile(path: latestPath)
            guard file.size <= 255 else { throw CheckpointError.corrupt(latestPath, "is not a DeepSpeed tag file") }
            let tag = String(decoding: try file.read(at: 0, count: Int(file.size)), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard !tag.isEmpty, !tag.contains("/"), tag != ".", tag != ".." else {
                throw CheckpointError.corrupt(latestPath, "names tag '\(tag)', which is not a folder name")
            }
            guard (try? FileSystem.kind(FileSystem.join(dir, tag))) == .directory else {
                throw CheckpointError.corrupt(latestPath, "names tag '\(tag)', but \(dir)/\(tag) does not exist")
            }
            var contents = try open(FileSystem.join(dir, tag))
            contents.path = dir
            // Lightning's DeepSpeed strategy: `epoch=3-step=1200.ckpt/` holding tag `checkpoint`.
            if contents.stepSource == nil {
                TrainingProgress.resolve([TrainingProgress.name(of: dir, isFolder: true)]).apply(to: &contents)
            }
            contents.files.append(latestPath)
            return contents
        }
        throw CheckpointError.refused(dir, "directory holds no checkpoint files (no *.safetensors, \((torchModelFiles + deepSpeedModelFiles + ["latest"]).joined(separator: ", ")))")
    }

}

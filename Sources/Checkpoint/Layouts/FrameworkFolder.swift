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
            var contents = try TorchCheckpoint.open(FileSystem.join(dir, model))
            contents.path = dir
            let progress = TrainingProgress.find(dir: dir, metadata: [:], path: dir)
            if progress.source == .framework || contents.stepSource != .framework {
                contents.step = progress.step; contents.epoch = progress.epoch; contents.stepSource = progress.source
            }
            let statePath = FileSystem.join(dir, "trainer_state.json")
            if FileSystem.isRegularFile(statePath) { contents.files.append(statePath) }
            if contents.stepSource == nil { nameStep(dir, into: &contents) }
            return contents
        }
        // DeepSpeed tag folder.
        if let model = deepSpeedModelFiles.first(where: has) {
            var contents = try TorchCheckpoint.openFile(FileSystem.join(dir, model))
            contents.path = dir
            if contents.step == nil { nameStep(dir, into: &contents) }
            return contents
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
            if contents.stepSource == nil { nameStep(dir, into: &contents) }
            contents.files.append(latestPath)
            return contents
        }
        throw CheckpointError.refused(dir, "directory holds no checkpoint files (no *.safetensors, \((torchModelFiles + deepSpeedModelFiles + ["latest"]).joined(separator: ", ")))")
    }

    static func nameStep(_ dir: String, into contents: inout CheckpointContents) {
        let (s, e) = StepParser.parse(name: FileSystem.baseName(dir))
        if s != nil || e != nil { contents.step = s; contents.epoch = e; contents.stepSource = .name }
    }
}

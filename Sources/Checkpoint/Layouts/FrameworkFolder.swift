import Foundation

/// Checkpoint folders written by training frameworks (formats.md §3.4, §3.5, §4.2):
/// HF Trainer `checkpoint-N/`, DeepSpeed `global_stepN/` and the save dir holding `latest`.
enum FrameworkFolder {
    /// Model files a HF folder may hold, preferred first.
    static let torchModelFiles = ["pytorch_model.bin.index.json", "pytorch_model.bin"]
    static let deepSpeedModelFiles = ["mp_rank_00_model_states.pt", "zero_pp_rank_0_mp_rank_00_model_states.pt"]

    static func open(_ dir: String) throws -> CheckpointContents {
        let fm = FileManager.default
        func has(_ name: String) -> Bool { fm.fileExists(atPath: dir + "/" + name) }

        // HF Trainer: model files plus trainer_state.json (written last).
        if let model = torchModelFiles.first(where: has) {
            var contents = try TorchCheckpoint.open(dir + "/" + model)
            contents.path = dir
            contents.step = nil; contents.epoch = nil; contents.stepSource = nil
            if has("trainer_state.json") {
                let statePath = dir + "/trainer_state.json"
                let (step, epoch) = try trainerState(statePath)
                contents.step = step; contents.epoch = epoch
                contents.stepSource = (step != nil || epoch != nil) ? .content : nil
                contents.files.append(statePath)
            }
            if contents.step == nil { nameStep(dir, into: &contents) }
            return contents
        }
        // DeepSpeed tag folder.
        if let model = deepSpeedModelFiles.first(where: has) {
            var contents = try TorchCheckpoint.openFile(dir + "/" + model)
            contents.path = dir
            if contents.step == nil { nameStep(dir, into: &contents) }
            return contents
        }
        // DeepSpeed save dir: `latest` names the finished tag.
        if has("latest") {
            let latestPath = dir + "/latest"
            let file = try ArchiveFile(path: latestPath)
            guard file.size <= 255 else { throw CheckpointFormatError(latestPath, "is not a DeepSpeed tag file") }
            let tag = String(decoding: try file.read(at: 0, count: Int(file.size)), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard !tag.isEmpty, !tag.contains("/"), tag != ".", tag != ".." else {
                throw CheckpointFormatError(latestPath, "names tag '\(tag)', which is not a folder name")
            }
            guard fm.fileExists(atPath: dir + "/" + tag) else {
                throw CheckpointFormatError(latestPath, "names tag '\(tag)', but \(dir)/\(tag) does not exist")
            }
            var contents = try open(dir + "/" + tag)
            contents.path = dir
            contents.files.append(latestPath)
            return contents
        }
        throw CheckpointFormatError(dir, "folder holds no checkpoint wwmon can read (looked for \((torchModelFiles + deepSpeedModelFiles + ["latest"]).joined(separator: ", ")))")
    }

    static func nameStep(_ dir: String, into contents: inout CheckpointContents) {
        let (s, e) = StepParser.parse(name: (dir as NSString).lastPathComponent)
        if s != nil || e != nil { contents.step = s; contents.epoch = e; contents.stepSource = .name }
    }

    /// `global_step` and `epoch` (fractional) from HF's trainer_state.json.
    static func trainerState(_ path: String) throws -> (Int?, Double?) {
        let file = try ArchiveFile(path: path)
        guard file.size <= 256 << 20 else { throw CheckpointFormatError(path, "trainer state is too large") }
        let data = Data(try file.read(at: 0, count: Int(file.size)))
        guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any] else {
            throw CheckpointFormatError(path, "is not a JSON object (trainer_state.json may still be being written)")
        }
        let step = (dict["global_step"] as? NSNumber).flatMap { $0.intValue >= 0 ? $0.intValue : nil }
        let epoch = (dict["epoch"] as? NSNumber).map(\.doubleValue).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        return (step, epoch)
    }
}

/// Step and epoch of a checkpoint, from what its files say (spec formats.md §4.3), most trusted
/// source first: HF `trainer_state.json`, then safetensors `__metadata__` strings, then the
/// checkpoint's name (`StepParser`: checkpoint-500, epoch=3-step=1200, global_step500, ...).
struct TrainingProgress: Equatable {
    var step: Int?
    var epoch: Double?
    var source: StepSource?

    static let maxTrainerStateBytes: UInt64 = 64 << 20

    /// `dir` is the checkpoint's folder (for a single file: the folder holding it); `path` the
    /// checkpoint itself (file or folder), whose name is the last resort.
    static func find(dir: String, metadata: [String: String], path: String) -> TrainingProgress {
        if let state = trainerState(dir: dir) { return state }
        let step = (metadata["global_step"] ?? metadata["step"]).flatMap { Int($0.trimmingSpaces) }
        let epoch = metadata["epoch"].flatMap { Double($0.trimmingSpaces) }
        if step != nil || epoch != nil {
            return TrainingProgress(step: step, epoch: epoch, source: .framework)
        }
        let named = StepParser.parse(path: path)
        if named.step != nil || named.epoch != nil {
            return TrainingProgress(step: named.step, epoch: named.epoch, source: .name)
        }
        return TrainingProgress()
    }

    /// `global_step` and `epoch` of `dir/trainer_state.json`; nil when absent or unreadable (it is
    /// not part of the weights, so a bad one is no reason to refuse the checkpoint).
    private static func trainerState(dir: String) -> TrainingProgress? {
        let path = FileSystem.join(dir, "trainer_state.json")
        guard FileSystem.isRegularFile(path),
              let bytes = try? FileSystem.readSmallFile(path, limit: maxTrainerStateBytes),
              case .object(let top)? = try? StrictJSONParser.parse(bytes) else { return nil }
        var result = TrainingProgress(source: .framework)
        for m in top {
            if m.key == "global_step", let v = m.value.unsignedInteger, v <= UInt64(Int.max) { result.step = Int(v) }
            if m.key == "epoch", case .number(let text) = m.value { result.epoch = Double(text) }
        }
        return result.step == nil && result.epoch == nil ? nil : result
    }
}

private extension String {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// Step, epoch and training metrics of a checkpoint, decided once here for every reader.
///
/// Sources, most trusted first (issue 9): the framework's own metadata (HF `trainer_state.json`,
/// Lightning / DeepSpeed / script keys in the pickle, safetensors `__metadata__`), then an
/// optimizer's step counter stored inside or beside the weights (`optimizer.pt` / `.bin`), then a
/// scheduler's `last_epoch` (`scheduler.pt` / `.bin`), then the checkpoint's own name
/// (`StepParser`). A run folder's name never gives a step: a checkpoint named by its framework
/// (`model.safetensors`, `pytorch_model.bin`) takes the name of its folder only when that is a
/// checkpoint folder (`checkpoint-500`, `global_step500`, ...). Nothing found: nil, and the store
/// numbers the checkpoint by arrival.
struct TrainingProgress: Equatable {
    var step: Int?
    var epoch: Double?
    var source: StepSource?
    var training: [String: Double] = [:]

    /// The step of the first candidate that has one (and its source), the epoch of the first that
    /// has one, and every candidate's metrics (an earlier candidate wins a key).
    static func resolve(_ candidates: [TrainingProgress]) -> TrainingProgress {
        var out = TrainingProgress()
        if let s = candidates.first(where: { $0.step != nil }) { out.step = s.step; out.source = s.source }
        if let e = candidates.first(where: { $0.epoch != nil }) {
            out.epoch = e.epoch
            if out.source == nil { out.source = e.source }
        }
        for c in candidates { out.training.merge(c.training) { kept, _ in kept } }
        return out
    }

    func apply(to contents: inout CheckpointContents) {
        contents.step = step; contents.epoch = epoch; contents.stepSource = source; contents.training = training
    }

    // MARK: - Sources

    static func metadata(_ metadata: [String: String]) -> TrainingProgress {
        TrainingProgress(step: (metadata["global_step"] ?? metadata["step"]).flatMap { Int($0.trimmingSpaces) },
                         epoch: metadata["epoch"].flatMap { Double($0.trimmingSpaces) }.flatMap { $0.isFinite ? $0 : nil },
                         source: .framework)
    }

    /// What a checkpoint's name says: its own file name, or for a file named by its framework,
    /// its folder's name when that names a checkpoint.
    static func name(of path: String, isFolder: Bool) -> TrainingProgress {
        let base = FileSystem.baseName(path)
        let parsed: (step: Int?, epoch: Double?)
        if isFolder {
            parsed = StepParser.parse(folderName: base)
        } else if StepParser.isFrameworkFileName(base) {
            parsed = StepParser.parse(folderName: FileSystem.baseName(FileSystem.parent(path)))
        } else {
            parsed = StepParser.parse(name: base)
        }
        return TrainingProgress(step: parsed.step, epoch: parsed.epoch, source: .name)
    }

    /// The sources a checkpoint folder holds besides the weights: trainer_state.json, and the
    /// optimizer's and scheduler's files.
    struct Folder {
        var trainerState: TrainingProgress?
        var optimizer = TrainingProgress(source: .optimizer)
        var scheduler = TrainingProgress(source: .optimizer)

        init(dir: String) {
            trainerState = TrainerState.read(dir: dir)
            // HF writes the optimizer last but one; skip the reads when trainer_state.json decided.
            guard trainerState?.step == nil else { return }
            optimizer.step = CompanionFiles.optimizerStep(dir: dir)
            if optimizer.step == nil { scheduler.step = CompanionFiles.schedulerStep(dir: dir) }
        }
    }

    /// Progress of a checkpoint at `path` (a folder, or a file in `dir`) from its metadata, what
    /// its pickle says (`content`, torch files), its folder's companion files and its name.
    /// Companion files count only for a checkpoint folder or a file named by its framework
    /// (`checkpoint-500/model.safetensors`): beside `ckpt_7.pt` an `optimizer.pt` is another save's.
    static func find(path: String, isFolder: Bool, metadata: [String: String] = [:],
                     content: StateDictLayout? = nil) -> TrainingProgress {
        let usesFolder = isFolder || StepParser.isFrameworkFileName(FileSystem.baseName(path))
        let folder = usesFolder ? Folder(dir: isFolder ? path : FileSystem.parent(path)) : nil
        var candidates: [TrainingProgress] = []
        if let s = folder?.trainerState { candidates.append(s) }
        if let content { candidates.append(content.framework) }
        candidates.append(Self.metadata(metadata))
        if let content { candidates.append(content.optimizer) }
        if let folder { candidates.append(folder.optimizer) }
        if let content { candidates.append(content.scheduler) }
        if let folder { candidates.append(folder.scheduler) }
        candidates.append(name(of: path, isFolder: isFolder))
        return resolve(candidates)
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

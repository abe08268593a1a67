/// The container format a checkpoint was read from.
public enum CheckpointFormat: String, Sendable, Codable {
    case safetensors, safetensorsSharded = "safetensors-sharded"
    case torchZip = "torch", torchSharded = "torch-sharded"
    case npy, npz
}

/// Where a step or epoch number came from, most trusted first.
public enum StepSource: String, Sendable, Codable {
    case framework    // the framework's own metadata: trainer_state.json, Lightning / DeepSpeed keys
    case optimizer    // an optimizer's step counter (Adam `state[..]["step"]`) or a scheduler's `last_epoch`
    case name         // checkpoint-500, epoch=3-step=1200.ckpt, global_step500, ... (never a run folder's name)
    case arrival      // assigned by the store in arrival order
    case user         // given on the command line
}

/// What a reader found in a checkpoint: tensor descriptors (no bytes yet) and what the
/// files say about training progress.
public struct CheckpointContents: Sendable {
    /// The path the user or watcher named (file or directory).
    public var path: String
    public var format: CheckpointFormat
    /// Every tensor of the model's weights, in WeightWatcher's iteration order.
    public var tensors: [TensorRef]
    /// Names that share storage with a tensor in `tensors`: alias -> kept name.
    public var aliases: [String: String]
    public var step: Int?
    public var epoch: Double?
    public var stepSource: StepSource?
    /// Training metrics the framework stored with this checkpoint (HF `log_history` at or before
    /// the step, Lightning monitor scores, a research dict's scalars): name -> value.
    public var training: [String: Double] = [:]
    /// The files whose bytes make up this checkpoint (for identity and completeness checks).
    public var files: [String]

    public init(path: String, format: CheckpointFormat, tensors: [TensorRef],
                aliases: [String: String] = [:], step: Int? = nil, epoch: Double? = nil,
                stepSource: StepSource? = nil, files: [String]) {
        self.path = path; self.format = format; self.tensors = tensors; self.aliases = aliases
        self.step = step; self.epoch = epoch; self.stepSource = stepSource; self.files = files
    }
}

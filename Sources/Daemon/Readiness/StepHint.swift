import Checkpoint

/// Step and epoch a checkpoint's name suggests, used for ordering the queue and when the files
/// themselves say nothing. The rules are the readers' (`StepParser`), so the daemon and
/// `wwmon analyze` never disagree about what a name means.
public struct StepHint: Sendable, Hashable {
    public var step: Int?
    public var epoch: Double?

    public init(step: Int? = nil, epoch: Double? = nil) { self.step = step; self.epoch = epoch }

    /// Nil when the name holds no number (`last.ckpt`, `model.safetensors`).
    public static func parse(name: String) -> StepHint? {
        let (step, epoch) = StepParser.parse(name: name)
        return step == nil && epoch == nil ? nil : StepHint(step: step, epoch: epoch)
    }
}

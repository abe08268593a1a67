/// Step and epoch read from a checkpoint's file or folder name (formats.md §4.3, second in trust
/// after the checkpoint's own keys, which the analyzer reads).
public struct StepHint: Sendable, Hashable {
    public var step: Int?
    public var epoch: Int?

    public init(step: Int? = nil, epoch: Int? = nil) { self.step = step; self.epoch = epoch }

    /// `checkpoint-500`, `global_step500`, `epoch=3-step=1200.ckpt`, `step-1200`, `step_1200`,
    /// `iter_300`, `epoch=3`, `500` (orbax); failing those, the last number in the name.
    /// Nil when the name holds no number (`last.ckpt`, `model.safetensors`).
    public static func parse(name: String) -> StepHint? {
        let base = stripExtensions(name).lowercased()
        var hint = StepHint()
        if let m = base.wholeMatch(of: /checkpoint-(\d+)/) { hint.step = Int(m.1) }
        else if let m = base.firstMatch(of: /global_step(\d+)/) { hint.step = Int(m.1) }
        else if let m = base.firstMatch(of: /(?:^|[^a-z])step=(\d+)/) { hint.step = Int(m.1) }
        else if let m = base.firstMatch(of: /(?:^|[^a-z])(?:step|steps|iter|iteration|it)[-_]?(\d+)/) { hint.step = Int(m.1) }
        else if let m = base.wholeMatch(of: /(\d+)/) { hint.step = Int(m.1) }
        if let m = base.firstMatch(of: /(?:^|[^a-z])epoch[-_=]?(\d+)/) { hint.epoch = Int(m.1) }
        if hint.step == nil, hint.epoch == nil {
            // Last resort: the last run of digits, ignoring a Lightning `-vN` version suffix.
            let trimmed = base.replacing(/-v\d+$/, with: "")
            if let m = trimmed.matches(of: /\d+/).last { hint.step = Int(trimmed[m.range]) }
        }
        return hint.step == nil && hint.epoch == nil ? nil : hint
    }

    /// Drops weight-file extensions so `.pt`-style suffixes and index names never count as numbers.
    static func stripExtensions(_ name: String) -> String {
        var s = Substring(name)
        for ext in [".json", ".index", ".safetensors", ".ckpt", ".pth", ".pt", ".bin", ".npz", ".npy"] {
            if s.lowercased().hasSuffix(ext) { s = s.dropLast(ext.count) }
        }
        return String(s)
    }
}

/// Step and epoch numbers from a checkpoint's file or folder name (formats.md §4.3, item 2).
/// One function so the readers and the daemon agree on what a name means.
public enum StepParser {
    /// Parses one path component (a file or folder name, not a whole path).
    /// Recognised, in order: `checkpoint-500` (HF), `global_step500` (DeepSpeed),
    /// `epoch=3-step=1200[-v1].ckpt` (Lightning), `step=1200` / `step-1200` / `step_1200` /
    /// `iter_1200`, `epoch=3` / `epoch_3`; when none of these is present, the last number in the
    /// number standing as its own token (`model_0042.pt`, `weights-1200`) is taken as the step;
    /// digits glued to letters (`resnet50`, `f32_mlp`) are not a step. `last.ckpt` carries no number.
    public static func parse(name: String) -> (step: Int?, epoch: Double?) {
        let lower = stripExtension(name.lowercased())
        if let m = lower.wholeMatch(of: /checkpoint-(\d+)/), let s = Int(m.1) { return (s, nil) }
        var step: Int?
        var epoch: Double?
        if let m = lower.firstMatch(of: /global_?steps?[-_=]?(\d+)/) { step = Int(m.1) }
        if step == nil, let m = lower.firstMatch(of: /(?:^|[^a-z])(?:step|steps|iter|iteration|it)[-_=]?(\d+)/) { step = Int(m.1) }
        if let m = lower.firstMatch(of: /(?:^|[^a-z])epoch[-_=]?(\d+(?:\.\d+)?)/) { epoch = Double(m.1) }
        if step != nil || epoch != nil { return (step, epoch) }
        // Fallback: the last all-digit token ("weights-0042" -> 42), ignoring Lightning's "-vN" clash suffix.
        let base = lower.replacing(/-v\d+$/, with: "")
        let tokens = base.split { !($0.isLetter || $0.isNumber) }
        if let last = tokens.last(where: { $0.allSatisfy(\.isASCIIDigitChar) }), let s = Int(last) { return (s, nil) }
        return (nil, nil)
    }

    /// Extensions of checkpoint files; anything else (e.g. "model.v2") is kept.
    static let extensions = [".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".npz", ".npy", ".json", ".index"]

    static func stripExtension(_ name: String) -> String {
        var n = name
        var changed = true
        while changed {
            changed = false
            for ext in extensions where n.hasSuffix(ext) && n.count > ext.count {
                n.removeLast(ext.count); changed = true
            }
        }
        return n
    }

    /// File names fixed by a framework (they say nothing about progress; the folder does).
    static func isFrameworkFileName(_ name: String) -> Bool {
        let lower = stripExtension(name.lowercased())
        return lower.wholeMatch(of: /(pytorch_model|model|adapter_model|mp_rank_\d+_model_states|zero_pp_rank_\d+_mp_rank_\d+_model_states|(pytorch_)?model-\d+-of-\d+)/) != nil
    }

    /// The name that carries the step for a checkpoint at `path`: the file's own name, or its
    /// folder's for framework-fixed file names (`global_step500/mp_rank_00_model_states.pt`).
    public static func parse(path: String) -> (step: Int?, epoch: Double?) {
        let parts = path.split(separator: "/").map(String.init)
        guard let last = parts.last else { return (nil, nil) }
        if isFrameworkFileName(last), parts.count >= 2 { return parse(name: parts[parts.count - 2]) }
        return parse(name: last)
    }
}

private extension Character {
    var isASCIIDigitChar: Bool { isASCII && isNumber }
}

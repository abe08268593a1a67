/// Step and epoch numbers from a checkpoint's file or folder name (formats.md §4.3, item 2).
/// One function so the readers and the daemon agree on what a name means.
public enum StepParser {
    /// Parses one path component (a file or folder name, not a whole path).
    /// Recognised, in order: `checkpoint-500` (HF), `global_step500` (DeepSpeed),
    /// `epoch=3-step=1200[-v1].ckpt` (Lightning), `step=1200` / `step-1200` / `step_1200` /
    /// `iter_1200`, `epoch=3` / `epoch_3`; when none of these is present, the last number in the
    /// number standing as its own token (`model_0042.pt`, `weights-1200`) is taken as the step;
    /// digits glued to letters (`resnet50`, `f32_mlp`) and numbers in scientific notation
    /// (`lr3e-4`) are not a step. `last.ckpt` carries no number.
    public static func parse(name: String) -> (step: Int?, epoch: Double?) {
        let lower = stripExtension(name.lowercased())
        let keyed = parseKeyed(lower)
        if keyed.step != nil || keyed.epoch != nil { return keyed }
        // Fallback: the last all-digit token ("weights-0042" -> 42), ignoring Lightning's "-vN"
        // clash suffix and hyper-parameters written like 3e-4 / 1.5e+2.
        let base = lower.replacing(/-v\d+$/, with: "").replacing(/\d+(?:\.\d+)?e[-+]?\d+/, with: "")
        let tokens = base.split { !($0.isLetter || $0.isNumber) }
        if let last = tokens.last(where: { $0.allSatisfy(\.isASCIIDigitChar) }), let s = Int(last) { return (s, nil) }
        return (nil, nil)
    }

    /// A folder's name gives a step only when it names a checkpoint (`checkpoint-500`,
    /// `checkpoint_3`, `global_step500`, `step_1200`, `epoch=3-step=1200`, `iter_100`): a run
    /// folder (`bert-lr3e-4`, `run7`) never does, so there is no bare-number fallback.
    public static func parse(folderName name: String) -> (step: Int?, epoch: Double?) {
        parseKeyed(stripExtension(name.lowercased()))
    }

    private static func parseKeyed(_ lower: String) -> (step: Int?, epoch: Double?) {
        // HF `checkpoint-500`; accelerate's `checkpoint_3` (a save counter: the optimizer's step,
        // read first, outranks it).
        if let m = lower.wholeMatch(of: /checkpoint[-_](\d+)/), let s = Int(m.1) { return (s, nil) }
        var step: Int?
        var epoch: Double?
        if let m = lower.firstMatch(of: /global_?steps?[-_=]?(\d+)/) { step = Int(m.1) }
        if step == nil, let m = lower.firstMatch(of: /(?:^|[^a-z])(?:step|steps|iter|iteration|it)[-_=]?(\d+)/) { step = Int(m.1) }
        if let m = lower.firstMatch(of: /(?:^|[^a-z])epoch[-_=]?(\d+(?:\.\d+)?)/) { epoch = Double(m.1) }
        return (step, epoch)
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

    /// The name that carries the step for a checkpoint file at `path`: the file's own name, or
    /// for framework-fixed file names its folder's, when that names a checkpoint
    /// (`global_step500/mp_rank_00_model_states.pt`; not `bert-lr3e-4/model.safetensors`).
    public static func parse(path: String) -> (step: Int?, epoch: Double?) {
        let parts = path.split(separator: "/").map(String.init)
        guard let last = parts.last else { return (nil, nil) }
        if isFrameworkFileName(last) {
            return parts.count >= 2 ? parse(folderName: parts[parts.count - 2]) : (nil, nil)
        }
        return parse(name: last)
    }
}

private extension Character {
    var isASCIIDigitChar: Bool { isASCII && isNumber }
}

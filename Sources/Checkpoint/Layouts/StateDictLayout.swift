/// Where the model's weights sit inside a torch.save pickle (formats.md §3.1-§3.5), and what
/// the pickle itself says about training progress.
struct StateDictLayout {
    /// The dict whose tensor values are the weights.
    let weights: PickleDict
    /// The top-level key that held it (`state_dict`, `model_state_dict`, `module`, ...); nil for a bare state dict.
    let rootKey: String?
    let step: Int?
    let epoch: Double?

    /// Roots, most specific first: Lightning / many scripts, the PyTorch tutorial, DeepSpeed,
    /// then common script names. Optimizer, scheduler, EMA and RNG subtrees are never chosen.
    static let weightRoots = ["state_dict", "model_state_dict", "module", "model", "net", "network", "params"]
    /// Keys that carry the step / epoch in Lightning, DeepSpeed and script-style dicts.
    static let stepKeys = ["global_step", "global_steps", "step", "iteration", "iter"]
    static let epochKeys = ["epoch"]

    init(_ pickle: SymbolicUnpickler.Result, path: String) throws {
        guard case .dict(let rootID) = pickle.root else {
            throw CheckpointError.refused(path, "the pickle holds a \(pickle.root.kindName), not a dict of tensors (a whole pickled nn.Module is not supported: save model.state_dict())")
        }
        let root = pickle.arena.dicts[rootID]
        func hasTensor(_ d: PickleDict) -> Bool {
            d.values.contains { if case .tensor = $0 { true } else if case .skippedTensor = $0 { true } else { false } }
        }
        var chosen: (PickleDict, String?)?
        for key in Self.weightRoots {
            if case .dict(let id)? = root[key], hasTensor(pickle.arena.dicts[id]) {
                chosen = (pickle.arena.dicts[id], key)
                break
            }
        }
        if chosen == nil, hasTensor(root) { chosen = (root, nil) }
        guard let (weights, key) = chosen else {
            let keys = root.keys.compactMap { if case .string(let s) = $0 { s } else { nil } }.prefix(12)
            throw CheckpointError.refused(path, "no model weights found: the top-level dict has no tensors and none of \(Self.weightRoots) (its keys: \(keys.joined(separator: ", ")))")
        }
        self.weights = weights
        self.rootKey = key
        // Progress keys only count at the top level of a wrapping dict: a bare state dict has none.
        var step: Int?, epoch: Double?
        if key != nil {
            for k in Self.stepKeys where step == nil {
                switch root[k] {
                case .int(let v)? where v >= 0: step = v
                case .float(let v)? where v >= 0 && v < 9e15 && v == v.rounded(): step = Int(v)
                default: break
                }
            }
            for k in Self.epochKeys where epoch == nil {
                switch root[k] {
                case .int(let v)? where v >= 0: epoch = Double(v)
                case .float(let v)? where v >= 0 && v.isFinite: epoch = v
                default: break
                }
            }
        }
        self.step = step
        self.epoch = epoch
    }
}

/// Where the model's weights sit inside a torch.save pickle (formats.md §3.1-§3.5), and what
/// the pickle itself says about training progress (framework keys, optimizer and scheduler
/// counters) and metrics.
struct StateDictLayout {
    /// The dict whose tensor values are the weights.
    let weights: PickleDict
    /// The top-level key that held it (`state_dict`, `model_state_dict`, `module`, ...); nil for a bare state dict.
    let rootKey: String?
    /// The wrapping dict's own step / epoch keys (Lightning, DeepSpeed, scripts): `.framework`.
    let framework: TrainingProgress
    /// An optimizer's step counter stored in the dict (research dicts, Lightning): `.optimizer`.
    let optimizer: TrainingProgress
    /// A scheduler's `last_epoch` stored in the dict: `.optimizer` too, ranked after the optimizer's.
    let scheduler: TrainingProgress

    /// Roots, most specific first: Lightning / many scripts, the PyTorch tutorial, DeepSpeed,
    /// common script names, then EMA copies (timm, when no live model is saved). Optimizer,
    /// scheduler and RNG subtrees are never chosen.
    static let weightRoots = ["state_dict", "model_state_dict", "module", "model", "net", "network", "params",
                              "model_ema", "state_dict_ema", "ema", "ema_state_dict", "ema_model"]
    /// Keys that carry the step / epoch in Lightning, DeepSpeed and script-style dicts.
    static let stepKeys = ["global_step", "global_steps", "step", "iteration", "iter"]
    static let epochKeys = ["epoch"]

    init(_ pickle: SymbolicUnpickler.Result, path: String, scalar: @escaping (TensorView) -> Double?) throws {
        let arena = pickle.arena
        guard case .dict(let rootID) = pickle.root else {
            if case .object(let id) = pickle.root, Self.isModule(arena.objects[id], arena) {
                throw CheckpointError.refused(path, "the pickle holds a whole \(arena.objects[id].type) module (never rebuilt), not a dict of tensors: save model.state_dict()")
            }
            throw CheckpointError.noWeights(path: path, detail: "the pickle holds \(arena.describe(pickle.root)), not a dict of tensors")
        }
        let root = arena.dicts[rootID]
        var chosen: (PickleDict, String?)?
        for key in Self.weightRoots {
            if case .dict(let id)? = root[key], Self.hasWeights(arena.dicts[id]) {
                chosen = (arena.dicts[id], key)
                break
            }
        }
        if chosen == nil, Self.hasWeights(root) { chosen = (root, nil) }
        guard let (weights, key) = chosen else {
            // torch.save({"model": model}) pickles the whole nn.Module: weights wwmon will not
            // rebuild, so an error the user sees rather than a file skipped as "no weights".
            for (k, v) in zip(root.keys, root.values) {
                if case .object(let id) = v, Self.isModule(arena.objects[id], arena) {
                    let name = if case .string(let s) = k { "'\(s)'" } else { "a key" }
                    throw CheckpointError.refused(path, "\(name) holds a whole \(arena.objects[id].type) module (never rebuilt), not a state dict: save model.state_dict()")
                }
            }
            let keys = root.keys.compactMap { if case .string(let s) = $0 { s } else { nil } }.prefix(12)
            throw CheckpointError.noWeights(path: path, detail: "no model weights found: the top-level dict has no floating-point tensors and none of \(Self.weightRoots) holds any (its keys: \(keys.joined(separator: ", ")))")
        }
        self.weights = weights
        self.rootKey = key
        // Progress keys and metrics only count at the top level of a wrapping dict: a bare state
        // dict has none (its 0-dim tensors, e.g. BatchNorm's num_batches_tracked, are weights' kin).
        let reader = PickleProgress(arena: arena, scalar: scalar)
        var framework = TrainingProgress(source: .framework)
        var optimizer = TrainingProgress(source: .optimizer)
        var scheduler = TrainingProgress(source: .optimizer)
        if key != nil {
            framework.step = Self.stepKeys.lazy.compactMap { reader.count(root[$0]) }.first
            framework.epoch = Self.epochKeys.lazy.compactMap { k -> Double? in
                guard let e = reader.number(root[k]), e >= 0 else { return nil }
                return e
            }.first
            framework.training = reader.training(in: root)
            optimizer.step = reader.optimizerStep(in: root)
            scheduler.step = reader.schedulerStep(in: root)
        }
        self.framework = framework
        self.optimizer = optimizer
        self.scheduler = scheduler
    }

    /// A dict holding at least one weight: a floating-point tensor with at least one dimension
    /// (an RNG state's uint8 tensor or a 0-dim loss is not a model), or a recognised tensor kind
    /// wwmon skips (quantized, sparse, ...).
    static func hasWeights(_ d: PickleDict) -> Bool {
        d.values.contains {
            switch $0 {
            case .tensor(let t): (t.element.dtype?.isFloatingPoint ?? false) && !t.shape.isEmpty
            case .skippedTensor: true
            default: false
            }
        }
    }

    /// A pickled nn.Module: its BUILD state has `_parameters` and `_modules`.
    static func isModule(_ o: InertObject, _ arena: PickleArena) -> Bool {
        guard case .dict(let id)? = o.state else { return false }
        return arena.dicts[id]["_parameters"] != nil && arena.dicts[id]["_modules"] != nil
    }
}

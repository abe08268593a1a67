/// What a torch.save pickle says about training besides the weights: the counters that give
/// the step (an optimizer's `state[k]["step"]`, a scheduler's `last_epoch`) and the scalar
/// metrics saved with it (a research dict's `loss` / `best_acc1`, Lightning's monitor scores).
/// Reads values only; inert objects (unknown classes) are looked into but never interpreted.
struct PickleProgress {
    let arena: PickleArena
    /// Reads a one-element tensor's value from the archive (nil when it cannot).
    let scalar: (TensorView) -> Double?

    /// Keys that count training progress; never reported as metrics.
    static let counterKeys: Set<String> = ["epoch", "epochs", "global_step", "global_steps", "step", "steps",
                                           "iteration", "iterations", "iter", "it", "start_epoch", "_step_count", "last_epoch"]
    /// Where research dicts and frameworks keep an optimizer's / a scheduler's state dict.
    static let optimizerKeys = ["optimizer", "optimizer_state_dict", "optimizer_states", "optim", "opt"]
    static let schedulerKeys = ["scheduler", "lr_scheduler", "lr_schedulers", "scheduler_state_dict", "sched"]

    func dict(_ v: PickleValue?) -> PickleDict? {
        if case .dict(let id)? = v { return arena.dicts[id] }
        return nil
    }

    /// A finite number: int, float or a one-element tensor (never a bool).
    func number(_ v: PickleValue?) -> Double? {
        let x: Double?
        switch v {
        case .int(let i)?: x = Double(i)
        case .float(let f)?: x = f
        case .tensor(let t)?: x = scalar(t)
        default: x = nil
        }
        return x.flatMap { $0.isFinite ? $0 : nil }
    }

    func count(_ v: PickleValue?) -> Int? {
        guard let x = number(v), x >= 0, x < 9e15, x == x.rounded() else { return nil }
        return Int(x)
    }

    /// Items of a list (Lightning keeps `optimizer_states` / `lr_schedulers` as lists) or the value itself.
    func each(_ v: PickleValue?) -> [PickleValue] {
        if case .list(let id)? = v { return arena.lists[id] }
        return v.map { [$0] } ?? []
    }

    /// The step counter of an optimizer state dict (`{"state": {0: {"step": 500, ...}}, "param_groups": ...}`):
    /// the largest per-parameter `step` (they are equal unless parameters joined late).
    func optimizerStep(_ v: PickleValue?) -> Int? {
        var best: Int?
        for item in each(v) {
            guard let state = dict(dict(item)?["state"]) else { continue }
            for perParam in state.values {
                if let s = count(dict(perParam)?["step"]) { best = max(best ?? s, s) }
            }
        }
        return best
    }

    /// A scheduler state dict's `last_epoch` (the number of `scheduler.step()` calls).
    func schedulerStep(_ v: PickleValue?) -> Int? {
        each(v).compactMap { count(dict($0)?["last_epoch"]) }.max()
    }

    func optimizerStep(in root: PickleDict) -> Int? {
        Self.optimizerKeys.lazy.compactMap { optimizerStep(root[$0]) }.first
    }

    func schedulerStep(in root: PickleDict) -> Int? {
        Self.schedulerKeys.lazy.compactMap { schedulerStep(root[$0]) }.first
    }

    /// Scalar metrics of a wrapping dict: its top-level numbers and one-element tensors (counters
    /// left out), and Lightning's callback scores.
    func training(in root: PickleDict) -> [String: Double] {
        var out: [String: Double] = [:]
        for (k, v) in zip(root.keys, root.values) {
            guard case .string(let name) = k, !Self.counterKeys.contains(name) else { continue }
            if let x = number(v) { out[name] = x }
        }
        if let callbacks = dict(root["callbacks"]) { lightningScores(callbacks, into: &out) }
        return out
    }

    /// Lightning's callback states, keyed `ModelCheckpoint{'monitor': 'val_loss', ...}`:
    /// `current_score` is the monitored value at this save (reported under the monitor's name),
    /// `best_model_score` / EarlyStopping's `best_score` the best so far (as `best_<monitor>`).
    func lightningScores(_ callbacks: PickleDict, into out: inout [String: Double]) {
        for (k, v) in zip(callbacks.keys, callbacks.values) {
            guard case .string(let key) = k, let state = dict(v) else { continue }
            let monitor: String?
            if case .string(let m)? = state["monitor"] { monitor = m } else { monitor = Self.monitor(inKey: key) }
            guard let monitor, !monitor.isEmpty else { continue }
            if key.hasPrefix("ModelCheckpoint") {
                if out[monitor] == nil, let x = number(state["current_score"]) { out[monitor] = x }
                if let x = number(state["best_model_score"]) { out["best_" + monitor] = x }
            } else if key.hasPrefix("EarlyStopping") {
                if out["best_" + monitor] == nil, let x = number(state["best_score"]) { out["best_" + monitor] = x }
            }
        }
    }

    /// `'monitor': 'val_loss'` inside a Lightning callback state key.
    static func monitor(inKey key: String) -> String? {
        guard let m = key.firstMatch(of: /'monitor': '([^']*)'/) else { return nil }
        return String(m.1)
    }
}

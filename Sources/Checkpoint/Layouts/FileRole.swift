/// Which files of a checkpoint folder are its weights, and which the frameworks write beside
/// them. The one place that says so: the daemon's candidates (only weights are checkpoints) and
/// a checkpoint's identity (its weight files; a late `optimizer.pt` completes the same point)
/// both ask here.
public enum CheckpointFileRole: Sendable, Equatable {
    /// Holds tensors of the model (safetensors, a torch file, numpy arrays, DeepSpeed's
    /// `mp_rank_00_model_states.pt`).
    case weights
    /// Written beside the weights, never analysed as a model: optimizer and scheduler state,
    /// RNG states, training arguments, configs, tokenizers, logs.
    case companion
    /// A shard index (`model.safetensors.index.json`): part of the weights' identity.
    case index

    static let weightExtensions = [".safetensors", ".pt", ".pth", ".bin", ".ckpt", ".npz", ".npy"]

    /// Exact names (lower-cased) of companion files that carry a weight-like extension:
    /// HF Trainer's `training_args.bin`, `optimizer.pt`, `scheduler.pt`, `scaler.pt`;
    /// accelerate's `optimizer.bin`, `scheduler.bin`, `sampler.bin`.
    static let companionNames: Set<String> = [
        "training_args.bin", "optimizer.pt", "optimizer.bin", "optimizer.pth", "scheduler.pt",
        "scheduler.bin", "scheduler.pth", "scaler.pt", "scaler.bin", "sampler.bin", "sampler.pt",
        "rng_state.pth", "lr_scheduler.pt", "ema_optimizer.pt",
    ]

    public static func of(fileName: String) -> CheckpointFileRole {
        let n = fileName.lowercased()
        if n.hasSuffix(".index.json") { return .index }
        guard weightExtensions.contains(where: { n.hasSuffix($0) }) else { return .companion }
        if companionNames.contains(n) { return .companion }
        // Numbered and per-rank variants: rng_state_3.pth, random_states_0.pkl (not a weight
        // extension anyway), optimizer_0.bin / optimizer_1.bin (accelerate with several
        // optimizers), scheduler_0.bin, DeepSpeed's zero_pp_rank_0_mp_rank_00_optim_states.pt.
        for prefix in ["rng_state", "random_states", "optimizer_", "optimizer-", "scheduler_", "sampler_",
                       "scaler_", "tokenizer", "training_args"] where n.hasPrefix(prefix) {
            return .companion
        }
        if n.contains("optim_states") || n.hasPrefix("events.out.tfevents") { return .companion }
        return .weights
    }
}

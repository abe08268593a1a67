/// Layer-name normalisation, so a layer keeps its identity across checkpoints of one run.
public enum TensorNames {
    /// Strips wrapper prefixes: leading `module.` (DDP / DeepSpeed) and every `_orig_mod.`
    /// path component (torch.compile wraps the whole model or a submodule).
    public static func normalise(_ name: String) -> String {
        var parts = name.split(separator: ".", omittingEmptySubsequences: false)
        parts.removeAll { $0 == "_orig_mod" }
        while parts.count > 1, parts.first == "module" { parts.removeFirst() }
        while parts.count > 1, parts.first == "_orig_mod" { parts.removeFirst() }
        return parts.joined(separator: ".")
    }

    /// Normalises every name of a checkpoint, unless that would make two names equal (then the
    /// names are kept as written: e.g. a dict holding both `module.fc.weight` and `fc.weight`).
    static func normalise(_ contents: inout CheckpointContents) {
        let renamed = contents.tensors.map { normalise($0.name) }
        let aliasNames = contents.aliases.keys.map { normalise($0) }
        let all = renamed + aliasNames
        guard Set(all).count == all.count else { return }
        for i in contents.tensors.indices { contents.tensors[i].name = renamed[i] }
        var aliases: [String: String] = [:]
        for (alias, kept) in contents.aliases { aliases[normalise(alias)] = normalise(kept) }
        contents.aliases = aliases
    }
}

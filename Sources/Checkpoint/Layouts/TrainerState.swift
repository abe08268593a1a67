/// HF Trainer's `trainer_state.json` (written last into each `checkpoint-N/`): the framework's
/// own `global_step` and `epoch`, and the metrics it logged up to that step (`log_history`).
enum TrainerState {
    static let fileName = "trainer_state.json"
    static let maxBytes: UInt64 = 64 << 20
    /// log_history keys that are not metrics of the model: counters, and wall-clock measurements
    /// of the machine (`eval_runtime`, `*_per_second`, `total_flos`) that would only add noise
    /// beside alpha.
    static let skippedKeys: Set<String> = ["step", "epoch", "total_flos"]
    static let skippedSuffixes = ["_runtime", "_per_second"]

    /// nil when `dir` has no readable trainer_state.json: it is not part of the weights, so a
    /// bad one is no reason to refuse the checkpoint (the next source decides the step).
    static func read(dir: String) -> TrainingProgress? {
        let path = FileSystem.join(dir, fileName)
        guard let file = try? ReadOnlyFile(path), let size = try? file.size(), size <= maxBytes,
              let bytes = try? file.read(count: Int(size), at: 0),
              case .object(let top)? = try? StrictJSONParser.parse(bytes, pythonNonFinite: true) else { return nil }
        var result = TrainingProgress(source: .framework)
        var history: [JSONValue] = []
        for m in top {
            switch m.key {
            case "global_step": if let v = m.value.unsignedInteger, v <= UInt64(Int.max) { result.step = Int(v) }
            case "epoch": result.epoch = m.value.finiteNumber
            case "log_history": if case .array(let entries) = m.value { history = entries }
            default: break
            }
        }
        guard result.step != nil || result.epoch != nil else { return nil }
        result.training = metrics(history, upTo: result.step)
        return result
    }

    /// The latest value of every numeric key among the entries logged at or before `step`
    /// (entries in file order, which is the order the Trainer logged them).
    static func metrics(_ history: [JSONValue], upTo step: Int?) -> [String: Double] {
        var out: [String: Double] = [:]
        for entry in history {
            guard case .object(let members) = entry else { continue }
            let at = members.first { $0.key == "step" }?.value.unsignedInteger
            if let step, let at, at > UInt64(step) { continue }
            for m in members where !skippedKeys.contains(m.key) && !skippedSuffixes.contains(where: m.key.hasSuffix) {
                if let v = m.value.finiteNumber { out[m.key] = v }
            }
        }
        return out
    }
}

extension JSONValue {
    /// The value of a JSON number when it is finite (`1e999` is not).
    var finiteNumber: Double? {
        guard case .number(let text) = self, let v = Double(text), v.isFinite else { return nil }
        return v
    }
}

import Foundation
import Metrics

/// How a checkpoint is analysed. Defaults reproduce WeightWatcher 0.7.7's `analyze()`.
public struct AnalysisOptions: Sendable {
    /// WeightWatcher options that change a layer's numbers (fix_fingers, conv mode, …).
    public var ww: WWOptions
    /// Which layers are analysed (min/max_evals, name patterns, layer ids).
    public var selection: LayerSelection
    /// Gram path with exact fallback (default), or dgesdd for every matrix.
    public var method: SpectrumMethod
    /// Layers computed at once (each on one core, one BLAS thread).
    public var concurrency: Int
    /// Working memory allowed for layers in flight; nil = 3 × the largest layer as float64.
    public var memoryBudgetBytes: Int?
    /// The most working memory one layer may ask for; a larger layer fails (alone) with an error
    /// naming file, tensor and bytes instead of allocating. nil = `MemoryLimit.detect()`.
    public var memoryLimitBytes: Int?

    /// WW's `pool`: one pooled ESD per conv layer (true) or one row per kernel position.
    public var pool: Bool {
        get { ww.pool }
        set { ww.conv = newValue ? (ww.conv == .slices ? .pooled : ww.conv) : .slices }
    }

    /// `ww`, when given, decides the conv mode and `pool` is ignored.
    public init(pool: Bool = true, ww: WWOptions? = nil, selection: LayerSelection = .init(),
                method: SpectrumMethod = .gram,
                concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
                memoryBudgetBytes: Int? = nil, memoryLimitBytes: Int? = nil) {
        self.ww = ww ?? WWOptions(conv: pool ? .pooled : .slices)
        self.selection = selection; self.method = method
        self.concurrency = max(1, concurrency); self.memoryBudgetBytes = memoryBudgetBytes
        self.memoryLimitBytes = memoryLimitBytes
    }

    /// The settings that differ from WeightWatcher's defaults, recorded with each checkpoint
    /// (`CheckpointInfo.options`); empty for a default analysis.
    public var recorded: [String: String] {
        var o: [String: String] = [:]
        if let f = ww.fixFingers {
            o["fix_fingers"] = f.rawValue
            if ww.maxFingers != 10 { o["max_fingers"] = "\(ww.maxFingers)" }
            if ww.fingerThresh != 1.0 { o["finger_thresh"] = "\(ww.fingerThresh)" }
        }
        if ww.conv != .pooled { o["conv"] = ww.conv.rawValue }
        if ww.mpFit { o["mp_fit"] = "true" }
        if ww.randomize { o["randomize"] = "true"; o["seed"] = "\(ww.seed)" }
        if ww.conv == .operator { o["input_size"] = "\(ww.inputSize)" }
        let s = selection, d = LayerSelection()
        if s.minEvals != d.minEvals { o["min_evals"] = "\(s.minEvals)" }
        if s.maxEvals != d.maxEvals { o["max_evals"] = "\(s.maxEvals)" }
        if let p = s.include { o["layers"] = p }
        if let p = s.exclude { o["exclude_layers"] = p }
        if !s.layerIDs.isEmpty { o["layer_ids"] = s.layerIDs.map(String.init).joined(separator: ",") }
        return o
    }
}

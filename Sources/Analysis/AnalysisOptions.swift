import Foundation
import Metrics

/// How a checkpoint is analysed. Defaults reproduce WeightWatcher 0.7.7's `analyze()`.
public struct AnalysisOptions: Sendable {
    /// WW's `pool`: one pooled ESD per conv layer (true) or one row per kernel position.
    public var pool: Bool
    /// Gram path with exact fallback (default), or dgesdd for every matrix.
    public var method: SpectrumMethod
    /// Layers computed at once (each on one core, one BLAS thread).
    public var concurrency: Int
    /// Working memory allowed for layers in flight; nil = 3 × the largest layer as float64.
    public var memoryBudgetBytes: Int?
    /// The most working memory one layer may ask for; a larger layer fails (alone) with an error
    /// naming file, tensor and bytes instead of allocating. nil = `MemoryLimit.detect()`.
    public var memoryLimitBytes: Int?

    public init(pool: Bool = true, method: SpectrumMethod = .gram,
                concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
                memoryBudgetBytes: Int? = nil, memoryLimitBytes: Int? = nil) {
        self.pool = pool; self.method = method
        self.concurrency = max(1, concurrency); self.memoryBudgetBytes = memoryBudgetBytes
        self.memoryLimitBytes = memoryLimitBytes
    }
}

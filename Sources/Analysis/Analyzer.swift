import Checkpoint
import Foundation
import Logging
import Metrics

/// The one path from a checkpoint on disk to its report: `wwmon analyze`, `wwmon ingest` and the
/// daemon all call this.
public struct Analyzer: Sendable {
    public var options: AnalysisOptions
    private let logger: Logger

    public init(options: AnalysisOptions = .init(), logger: Logger = Logger(label: "wwmon.analysis")) {
        self.options = options; self.logger = logger
    }

    /// Opens the checkpoint at `path` (file or folder) and analyses every weight matrix.
    public func analyze(path: String, progress: Progress? = nil) async throws -> CheckpointReport {
        try await analyze(try CheckpointReader.open(path), progress: progress)
    }

    /// Called as layers finish (from whichever task finished one): layers done, layers in all.
    public typealias Progress = @Sendable (_ done: Int, _ total: Int) -> Void

    /// Looks up the rows already computed for a tensor's content key (see `CheckpointInfo.tensorHashes`);
    /// the daemon answers from the store so frozen layers are not recomputed.
    public typealias Reuse = @Sendable (_ contentKey: String) async -> [LayerReport]?

    /// Analyses tensors a reader has already listed. Layers are read one at a time (only those
    /// in flight are in memory) and computed in parallel within the memory budget. With `reuse`,
    /// each tensor's bytes are hashed first and a layer whose content was analysed before takes
    /// its earlier rows instead of being recomputed.
    public func analyze(_ contents: CheckpointContents, reuse: Reuse? = nil,
                        progress: Progress? = nil) async throws -> CheckpointReport {
        let (plans, skipped) = Self.plans(for: contents.tensors, options: options,
                                          everyArrayIsWeight: (contents.format == .npy || contents.format == .npz)
                                              && !contents.tensors.contains { $0.name.hasSuffix(".weight") })
        let counter = LayerCounter(total: plans.count, report: progress)
        counter.start()
        let limit = options.memoryLimitBytes ?? MemoryLimit.detect().bytes
        // Layers over the memory limit fail here, before a byte is read (issue 10, point 1).
        var rows: [Int: Computed] = [:]
        var fits: [Job] = []
        for job in plans {
            let need = MemoryLimit.layerBytes(shape: job.tensor.shape, workingBytes: job.plan.workingBytes)
            if need > limit {
                let e = LayerTooLarge(file: job.tensor.file, tensor: job.tensor.name, shape: job.tensor.shape,
                                      bytes: need, limit: limit)
                logger.error("layer refused: over the memory limit",
                             metadata: ["path": "\(job.tensor.file)", "tensor": "\(job.tensor.name)",
                                        "bytes": "\(need)", "limit": "\(limit)"])
                rows[job.index] = Computed(rows: LayerMetrics.failedRows(job.plan, reason: e.description), key: nil, reused: false)
                counter.advance()
            } else {
                fits.append(job)
            }
        }
        let largest = fits.map { $0.plan.workingBytes }.max() ?? 0
        let budget = options.memoryBudgetBytes ?? 3 * (fits.map { $0.tensor.elementCount * 8 }.max() ?? 0)
        // Layers too big to share the budget run first, alone, with every core inside BLAS;
        // the rest run side by side, one BLAS thread each (small layers leave cores idle in LAPACK).
        let solo = fits.filter { options.concurrency == 1 || $0.plan.workingBytes > budget / 2 }
        let shared = fits.filter { !(options.concurrency == 1 || $0.plan.workingBytes > budget / 2) }
        let method = options.method
        let ww = options.ww
        let cores = ProcessInfo.processInfo.activeProcessorCount
        logger.debug("analysing layers", metadata: ["layers": "\(plans.count)", "layers.alone": "\(solo.count)",
                                                   "memory.largest_mib": "\(largest >> 20)", "memory.budget_mib": "\(budget >> 20)"])

        if !solo.isEmpty {
            let done = try await BLASGate.shared.with(threads: cores) { () async throws -> [Int: Computed] in
                var out: [Int: Computed] = [:]
                for job in solo {
                    out[job.index] = try await Self.compute(job, method: method, ww: ww, reuse: reuse)
                    counter.advance()
                }
                return out
            }
            rows.merge(done) { a, _ in a }
        }
        if !shared.isEmpty {
            let done = try await BLASGate.shared.with(threads: 1) { () async throws -> [Int: Computed] in
                let gate = MemoryBudget(bytes: budget, slots: options.concurrency)
                return try await withThrowingTaskGroup(of: (Int, Computed).self) { group in
                    for job in shared {
                        await gate.acquire(job.plan.workingBytes)
                        group.addTask {
                            do {
                                let computed = try await Self.compute(job, method: method, ww: ww, reuse: reuse)
                                await gate.release(job.plan.workingBytes)
                                return (job.index, computed)
                            } catch {
                                await gate.release(job.plan.workingBytes)
                                throw error
                            }
                        }
                    }
                    var out: [Int: Computed] = [:]
                    for try await (i, r) in group { out[i] = r; counter.advance() }
                    return out
                }
            }
            rows.merge(done) { a, _ in a }
        }
        let ordered = plans.flatMap { rows[$0.index]?.rows ?? [] }
        var hashes: [String: String] = [:]
        for job in plans { if let key = rows[job.index]?.key { hashes[job.plan.name] = key } }
        let reused = plans.filter { rows[$0.index]?.reused == true }.count
        if reuse != nil { logger.debug("layers reused by content", metadata: ["layers.reused": "\(reused)", "layers": "\(plans.count)"]) }
        return CheckpointReport(
            layers: ordered, summary: Summary(rows: ordered, skipped: skipped),
            checkpoint: CheckpointInfo(path: contents.path, format: contents.format.rawValue,
                                       step: contents.step, epoch: contents.epoch,
                                       stepSource: contents.stepSource?.rawValue,
                                       aliases: contents.aliases, tensorHashes: hashes,
                                       layersReused: reuse == nil ? nil : reused,
                                       training: contents.training, options: options.recorded,
                                       seriesTag: options.ww.tag))
    }

    struct Job: Sendable { var index: Int; var plan: LayerPlan; var tensor: TensorRef }

    /// WW's layer selection over the reader's tensors, in order; and how many `*.weight`
    /// tensors produce no row. NumPy files carry bare arrays (`W.npy`, `np.savez(f, w1=...)`),
    /// so there every array is a candidate weight, named as the file names it.
    static func plans(for tensors: [TensorRef], options: AnalysisOptions = .init(),
                      everyArrayIsWeight: Bool = false) -> ([Job], Int) {
        var jobs: [Job] = [], skipped = 0, layerID = 0
        let filter = options.selection.filter
        let operatorSize = options.ww.conv == .operator ? options.ww.inputSize : nil
        for t in tensors where t.name.hasSuffix(".weight") || everyArrayIsWeight {
            defer { layerID += 1 }
            let name = t.name.hasSuffix(".weight") ? t.name : t.name + ".weight"
            switch LayerPlanning.plan(name: name, shape: t.shape, isFloat: t.dtype.isFloatingPoint,
                                      dtypeName: t.dtype.rawValue, layerID: layerID, pool: options.pool,
                                      selection: options.selection, filter: filter,
                                      operatorSize: operatorSize) {
            case .success(let p): jobs.append(Job(index: jobs.count, plan: p, tensor: t))
            case .failure: skipped += 1
            }
        }
        return (jobs, skipped)
    }

    struct Computed: Sendable { var rows: [LayerReport]; var key: String?; var reused: Bool }

    /// Reads one layer's tensor and computes its rows on the compute pool (or reuses earlier
    /// rows of identical content).
    static func compute(_ job: Job, method: SpectrumMethod, ww: WWOptions = .init(),
                        reuse: Reuse?) async throws -> Computed {
        // Stop and the daemon's time limit cancel the analysis; it ends at the next layer.
        try Task.checkCancellation()
        var key: String?
        if let reuse {
            let hash = try await ComputePool.run { Result { try TensorReader().contentHash(job.tensor) } }.get()
            let k = contentKey(hash: hash, job.tensor, pool: job.plan.pool, tag: ww.tag)
            key = k
            if let earlier = await reuse(k), earlier.count == job.plan.rowCount {
                let rows = earlier.map { r -> LayerReport in
                    var r = r
                    r.layerID = job.plan.layerID; r.name = job.plan.name; r.longname = job.plan.name
                    return r
                }
                return Computed(rows: rows, key: k, reused: true)
            }
        }
        let result: Result<[LayerReport], Error> = await ComputePool.run {
            Result {
                let weights = try TensorReader().readFloat64(job.tensor)
                return LayerMetrics.analyze(job.plan, weights: weights, method: method, options: ww)
            }
        }
        return Computed(rows: try result.get(), key: key, reused: false)
    }

    /// Identity of a layer's input: its bytes, how to read them, the pooling mode and the other
    /// options that change its numbers (rows computed under other options are never reused).
    static func contentKey(hash: String, _ t: TensorRef, pool: Bool, tag: String = "") -> String {
        let base = "xxh64:\(hash):\(t.dtype.rawValue):\(t.shape.map(String.init).joined(separator: "x")):\(pool ? "pool" : "slices")"
        return tag.isEmpty ? base : base + ":" + tag
    }
}

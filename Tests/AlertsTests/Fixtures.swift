import Store
import Analysis
import Foundation
import Metrics
@testable import Alerts

/// A WeightWatcher row with only the fields the rules read set meaningfully.
func row(_ name: String, alpha: Double, status: String = "success", reason: String? = nil,
         alphaWeighted: Double = 1, logSpectralNorm: Double = 1) -> LayerReport {
    LayerReport(layerID: 0, name: name, longname: name, layerType: "LINEAR", N: 64, M: 32, rf: 1,
                Q: 2, numEvals: 32, svMax: 1, svMin: 0.1, rankLoss: 0, weakRankLoss: 0,
                lambdaMax: 1, alpha: alpha, xmin: 0.1, xmax: 1, D: 0.05, sigma: 0.1,
                numPLSpikes: 10, status: status, warning: "", norm: 1, logNorm: 0,
                spectralNorm: 1, logSpectralNorm: logSpectralNorm, alphaWeighted: alphaWeighted,
                logAlphaNorm: 0, stableRank: 1, matrixRank: 32, entropy: 1, reason: reason)
}

/// A recorded series for one run: checkpoint i has step 100·(i+1); each checkpoint is a list
/// of rows (nil = the checkpoint could not be read) and an optional summary override.
struct Series {
    var run = "run-a"
    var checkpoints: [(rows: [LayerReport]?, summary: Summary?)]

    /// Replays the series through the engine and the lifecycle, one hour apart, and returns
    /// the events of each checkpoint.
    func replay(_ engine: RulesEngine, start: Date = Date(timeIntervalSince1970: 1_700_000_000),
                spacing: Double = 3600) -> [[AlertEvent]] {
        var book = AlertBook()
        var history: [CheckpointSnapshot] = []
        var out: [[AlertEvent]] = []
        for (i, cp) in checkpoints.enumerated() {
            let step = 100 * (i + 1)
            let input: RuleInput
            if let rows = cp.rows {
                let summary = cp.summary ?? Summary(rows: rows, skipped: 0)
                input = RuleInput(run: run, step: step, outcome: .analysed(rows: rows, summary: summary),
                                  history: history)
                history.append(CheckpointSnapshot(step: step, rows: rows, summary: summary))
            } else {
                input = RuleInput(run: run, step: step,
                                  outcome: .failed(path: "/ckpt/\(step)/model.safetensors",
                                                   error: "header length 99999999 exceeds file size 12"),
                                  history: history)
            }
            let e = engine.evaluate(input)
            out.append(book.apply(e, now: start.addingTimeInterval(Double(i) * spacing),
                                  repeatInterval: engine.settings.thresholds(for: run).repeatInterval))
        }
        return out
    }
}

func summary(alphaWeighted: Double = 1, logSpectralNorm: Double = 1) -> Summary {
    Summary(logNorm: 0, alpha: 3, alphaWeighted: alphaWeighted, logAlphaNorm: 0,
            logSpectralNorm: logSpectralNorm, stableRank: 1, layersAnalyzed: 1, layersSkipped: 0,
            layersFailed: 0)
}

extension Array where Element == AlertEvent {
    /// `kind rule layer` lines, for readable expectations.
    var brief: [String] { map { "\($0.kind.rawValue) \($0.alert.fingerprint.rule.rawValue) \($0.alert.fingerprint.layer)" } }
}

/// Suites that record synthetic checkpoints into a real store (StepOrderTests,
/// StorePipelineTests): one checkpoint per step, its identity derived from run and step.
protocol RecordsCheckpoints {
    var t0: Date { get }
}

extension RecordsCheckpoints {
    func record(_ store: HistoryStore, run: String, step: Int, rows: [LayerReport]) throws -> Summary {
        let summary = Summary(rows: rows, skipped: 0)
        let report = CheckpointReport(layers: rows, summary: summary,
                                      checkpoint: CheckpointInfo(path: "/ckpt/\(run)/\(step)", format: "safetensors", step: step))
        _ = try store.record(run: run, root: "/ckpt", report: report,
                             identity: CheckpointIdentity(path: "/ckpt/\(run)/\(step)", size: 1, mtimeNs: Int64(step),
                                                          inode: UInt64(step), device: 1),
                             durationSeconds: 0.1, analyzedAt: t0)
        return summary
    }
}

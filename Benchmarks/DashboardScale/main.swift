// Dashboard scale benchmark (bench/dashboard-scale.sh): the run page of a run with N
// checkpoints × L layers (rendered server-side, timed and weighed), `/metrics` over R runs, and
// the stored-spectra cost per checkpoint for the BERT-like and LLM-size layer sets. Release
// build; never part of `swift test`. Each time is the median of repeats, printed beside a
// baseline measured in the same run (the store queries the page needs, without rendering).
import Analysis
import Foundation
import Metrics
import Store
import Web

struct Args {
    var checkpoints = 5000, layers = 200, runs = 100, repeats = 7
    var dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-dashboard-scale").path
    var skipSpectra = false
    init() {
        var it = CommandLine.arguments.dropFirst().makeIterator()
        while let a = it.next() {
            switch a {
            case "--checkpoints": checkpoints = Int(it.next() ?? "") ?? checkpoints
            case "--layers": layers = Int(it.next() ?? "") ?? layers
            case "--runs": runs = Int(it.next() ?? "") ?? runs
            case "--repeats": repeats = Int(it.next() ?? "") ?? repeats
            case "--dir": dir = it.next() ?? dir
            case "--skip-spectra": skipSpectra = true
            default: FileHandle.standardError.write(Data("unknown argument \(a)\n".utf8)); exit(2)
            }
        }
    }
}

func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15 }
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }
func time(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    var out: [Double] = []
    for _ in 0..<repeats { let t = ContinuousClock.now; try body(); out.append(ms(ContinuousClock.now - t)) }
    return median(out)
}

/// A plausible layer row (drifting alpha; some layers leave the healthy range).
func row(layer l: Int, checkpoint c: Int) -> LayerReport {
    let alpha = 3.5 + 2.8 * sin(Double(c) / 700 + Double(l)) + 0.01 * Double(l % 7)
    let lambdaMax = 1.0 + 0.1 * cos(Double(c) / 300 + Double(l))
    let name = "model.layers.\(l / 8).mlp.proj\(l % 8)"
    return LayerReport(
        layerID: l, name: name, longname: name, layerType: "dense", N: 4096, M: 1024, rf: 1, Q: 4, numEvals: 1024,
        svMax: lambdaMax.squareRoot(), svMin: 0.01, rankLoss: 0, weakRankLoss: 0, lambdaMax: lambdaMax, alpha: alpha,
        xmin: 0.2, xmax: lambdaMax, D: 0.05, sigma: 0.1, numPLSpikes: 40, status: "success", warning: "", norm: 30,
        logNorm: 1.47, spectralNorm: lambdaMax, logSpectralNorm: log10(lambdaMax), alphaWeighted: alpha * log10(lambdaMax),
        logAlphaNorm: 0.9, stableRank: 30 / lambdaMax, matrixRank: 1024, entropy: 0.93)
}

func fill(_ store: HistoryStore, run: String, checkpoints: Int, layers: Int, dir: String) throws {
    for c in 0..<checkpoints {
        let rows = (0..<layers).map { row(layer: $0, checkpoint: c) }
        let path = "\(dir)/\(run)/checkpoint-\(c * 100)"
        let report = CheckpointReport(layers: rows, summary: Summary(rows: rows, skipped: 0),
                                      checkpoint: CheckpointInfo(path: path, format: "safetensors", step: c * 100))
        let id = CheckpointIdentity(path: path, size: Int64(c), mtimeNs: Int64(c), inode: UInt64(c), device: 1)
        _ = try store.record(run: run, root: dir, report: report, identity: id, durationSeconds: 1)
    }
}

let args = Args()
try FileManager.default.createDirectory(atPath: args.dir, withIntermediateDirectories: true)

// 1. Run page of one long run.
let bigDB = "\(args.dir)/run-\(args.checkpoints)x\(args.layers).db"
if !FileManager.default.fileExists(atPath: bigDB) {
    print("filling \(bigDB): \(args.checkpoints) checkpoints × \(args.layers) layers …")
    try fill(try HistoryStore(path: bigDB), run: "scale", checkpoints: args.checkpoints, layers: args.layers, dir: args.dir)
}
let big = try HistoryStore(path: bigDB, readOnly: true)
var html = ""
let page = try time(args.repeats) { html = try DashboardPages.run(big, run: "scale") }
let queries = try time(args.repeats) {
    let cps = try big.dashboardPoints(run: "scale")
    let ids = stride(from: 0, to: cps.count, by: max(1, cps.count / 60)).map { cps[$0].id }
    _ = try big.layerMatrix(run: "scale", metric: .alpha, checkpointIDs: ids)
    _ = try big.compare(run: "scale", from: cps[cps.count - 2].step, to: cps.last!.step)
}
let fullRecords = try time(args.repeats) { _ = try big.checkpoints(run: "scale") }
let bytes = html.utf8.count
print("run page, \(args.checkpoints) checkpoints × \(args.layers) layers: \(String(format: "%.1f", page)) ms server-side (target < 200), "
      + "\(String(format: "%.2f", Double(bytes) / 1e6)) MB (target < 1.5); its store queries alone \(String(format: "%.1f", queries)) ms "
      + "(page / queries = \(String(format: "%.2f", page / queries))); full checkpoint records alone, as `wwmon checkpoints` reads them, "
      + "\(String(format: "%.1f", fullRecords)) ms")

// 2. /metrics over many runs.
let fleetDB = "\(args.dir)/fleet-\(args.runs).db"
if !FileManager.default.fileExists(atPath: fleetDB) {
    print("filling \(fleetDB): \(args.runs) runs × 20 checkpoints × \(args.layers) layers …")
    let store = try HistoryStore(path: fleetDB)
    for r in 0..<args.runs { try fill(store, run: "run-\(r)", checkpoints: 20, layers: args.layers, dir: args.dir) }
}
let fleet = try HistoryStore(path: fleetDB, readOnly: true)
var body: [UInt8] = []
let withLayers = try time(args.repeats) { body = try StoreExposition(store: fleet, layerMetrics: true, health: nil).render() }
let series = body.split(separator: UInt8(ascii: "\n")).filter { $0.first != UInt8(ascii: "#") }.count
let runLevel = try time(args.repeats) { _ = try StoreExposition(store: fleet, layerMetrics: false, health: nil).render() }
let runsQuery = try time(args.repeats) { _ = try fleet.runs() }
print("/metrics, \(args.runs) runs: \(String(format: "%.1f", runLevel)) ms per-run series only (target < 50); "
      + "\(String(format: "%.1f", withLayers)) ms with per-layer alpha (\(series) series); `wwmon runs` query \(String(format: "%.1f", runsQuery)) ms "
      + "(metrics / runs query = \(String(format: "%.2f", runLevel / runsQuery)))")

// 3. Stored spectra: bytes per checkpoint for real analyses of heavy-tailed random layers.
if !args.skipSpectra {
    struct Rng {
        var s: UInt64
        mutating func unit() -> Double { s = s &* 6364136223846793005 &+ 1442695040888963407; return (Double(s >> 11) + 0.5) / Double(1 << 53) }
        mutating func normal() -> Double { (-2 * log(unit())).squareRoot() * cos(2 * .pi * unit()) }
    }
    /// Gaussian bulk plus a Pareto-tailed part, as trained layers look to WeightWatcher.
    func spectra(_ shapes: [[Int]]) -> (raw: Int, stored: Int, evals: Int) {
        var rng = Rng(s: 7)
        var raw = 0, stored = 0, evals = 0
        for (i, shape) in shapes.enumerated() {
            let n = shape[0] * shape[1]
            let w = (0..<n).map { _ in rng.normal() * 0.02 + (rng.unit() < 0.02 ? 0.02 * pow(rng.unit(), -0.4) * (rng.unit() < 0.5 ? -1 : 1) : 0) }
            let plan = try! LayerPlanning.plan(name: "l\(i).weight", shape: shape, isFloat: true, dtypeName: "F32", layerID: i).get()
            for r in LayerMetrics.analyze(plan, weights: w) {
                guard let e = r.eigenvalues else { continue }
                raw += e.count * 4; evals += e.count
                stored += (try! SpectrumCodec.encode(e)).count + 24   // + the row's key and count columns
            }
        }
        return (raw, stored, evals)
    }
    let bert = Array(repeating: [[768, 768], [768, 768], [768, 768], [768, 768], [3072, 768], [768, 3072]], count: 12).flatMap { $0 }
    for (name, shapes) in [("BERT-base-like (72 matrices)", bert), ("LLM pair (4096², 11008×4096)", [[4096, 4096], [11008, 4096]])] {
        let t = ContinuousClock.now
        let (raw, stored, evals) = spectra(shapes)
        print("spectra, \(name): \(evals) eigenvalues, \(stored) bytes per checkpoint stored (float32 raw \(raw); "
              + "stored / raw = \(String(format: "%.2f", Double(stored) / Double(raw))), \(String(format: "%.2f", Double(stored) / Double(evals))) bytes per eigenvalue) "
              + "[\(String(format: "%.1f", ms(ContinuousClock.now - t) / 1000)) s]")
    }
}

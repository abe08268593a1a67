// Store scale benchmark (issue 4): fills a history with N checkpoints × L layers through the
// same `HistoryStore.record` the daemon uses, then times `wwmon history` as a cold process.
// Run through bench/store-scale.sh (release build); never part of `swift test`.
import Analysis
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Metrics
import Store

struct Args {
    var checkpoints = 5000, layers = 200, repeats = 7
    var db = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-store-scale.db").path
    var wwmon: String?
    /// Time the queries on an existing database (filled by an earlier run) without refilling.
    var queryOnly = false

    init() {
        var it = CommandLine.arguments.dropFirst().makeIterator()
        while let a = it.next() {
            switch a {
            case "--checkpoints": checkpoints = Int(it.next() ?? "") ?? checkpoints
            case "--layers": layers = Int(it.next() ?? "") ?? layers
            case "--repeats": repeats = Int(it.next() ?? "") ?? repeats
            case "--db": db = it.next() ?? db
            case "--wwmon": wwmon = it.next()
            case "--query-only": queryOnly = true
            default: FileHandle.standardError.write(Data("unknown argument \(a)\n".utf8)); exit(2)
            }
        }
    }
}

func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15 }

func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted(); return s[min(s.count - 1, Int(Double(s.count - 1) * p + 0.5))]
}

/// A plausible layer row: a slowly drifting alpha per layer, the other columns consistent.
func row(layer l: Int, checkpoint c: Int) -> LayerReport {
    let alpha = 3.0 + 1.5 * sin(Double(c) / 400 + Double(l)) + 0.01 * Double(l % 7)
    let lambdaMax = 1.0 + 0.1 * cos(Double(c) / 300 + Double(l))
    return LayerReport(
        layerID: l, name: "model.layers.\(l / 8).mlp.proj\(l % 8)", longname: "model.layers.\(l / 8).mlp.proj\(l % 8)",
        layerType: "dense", N: 4096, M: 1024, rf: 1, Q: 4, numEvals: 1024, svMax: lambdaMax.squareRoot(),
        svMin: 0.01, rankLoss: 0, weakRankLoss: 0, lambdaMax: lambdaMax, alpha: alpha, xmin: 0.2, xmax: lambdaMax,
        D: 0.05, sigma: 0.1, numPLSpikes: 40 + l % 13, status: "success", warning: "", norm: 30,
        logNorm: 1.47, spectralNorm: lambdaMax, logSpectralNorm: log10(lambdaMax),
        alphaWeighted: alpha * log10(lambdaMax), logAlphaNorm: 0.9, stableRank: 30 / lambdaMax,
        matrixRank: 1024, entropy: 0.93)
}

let args = Args()
let run = "scale"
var recordMs: [Double] = []
if !args.queryOnly {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: args.db + suffix) }
    let store = try HistoryStore(path: args.db)
    let clock = ContinuousClock()
    let fillStart = clock.now
    for c in 0..<args.checkpoints {
        let rows = (0..<args.layers).map { row(layer: $0, checkpoint: c) }
        let report = CheckpointReport(layers: rows, summary: Summary(rows: rows, skipped: 0),
                                      checkpoint: CheckpointInfo(path: "/bench/checkpoint-\(c)", format: "safetensors",
                                                                 step: c * 100, stepSource: "name"))
        let identity = CheckpointIdentity(path: report.checkpoint.path, size: Int64(c), mtimeNs: Int64(c),
                                          inode: UInt64(c), device: 1)
        let t0 = clock.now
        _ = try store.record(run: run, root: "/bench", report: report, identity: identity, durationSeconds: 1)
        recordMs.append(ms(clock.now - t0))
    }
    print("filled \(args.checkpoints) checkpoints × \(args.layers) layers in \(String(format: "%.1f", ms(clock.now - fillStart) / 1000)) s")
}
// The store is closed here (WAL checkpointed into the main file), so the size is the db's.
let size = (try FileManager.default.attributesOfItem(atPath: args.db)[.size] as? NSNumber)?.doubleValue ?? 0
let rows = Double(args.checkpoints * args.layers)

/// Wall time of `wwmon argv…` from spawn to exit. posix_spawn + waitpid rather than
/// Foundation's Process, whose waitUntilExit polls in ~50 ms steps on Linux.
func coldProcess(_ wwmon: String, _ argv: [String]) throws -> [Double] {
    var out: [Double] = []
    let full = [wwmon] + argv + ["--db", args.db]
    for _ in 0..<args.repeats {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var cargs: [UnsafeMutablePointer<CChar>?] = full.map { strdup($0) } + [nil]
        var pid: pid_t = 0
        let t0 = ContinuousClock.now
        let rc = posix_spawn(&pid, wwmon, &actions, nil, &cargs, environ)
        var status: Int32 = 0
        if rc == 0 { waitpid(pid, &status, 0) }
        out.append(ms(ContinuousClock.now - t0))
        cargs.forEach { free($0) }
        posix_spawn_file_actions_destroy(&actions)
        if rc != 0 || status != 0 { throw CocoaError(.executableLoad) }
    }
    return out
}

print("")
print("| measure | median | p95 / max |")
print("|---|---|---|")
if !recordMs.isEmpty {
    print(String(format: "| record one checkpoint (%d layer rows + summary, one transaction) | %.2f ms | %.2f ms |",
                 args.layers, percentile(recordMs, 0.5), percentile(recordMs, 0.95)))
}
if let wwmon = args.wwmon {
    let layer = "model.layers.12.mlp.proj4"
    let queries: [(String, [String])] = [
        ("`wwmon history --layer` (one layer, all \(args.checkpoints) checkpoints, --json), cold process",
         ["history", run, "--layer", layer, "--json"]),
        ("`wwmon history --summary` (⟨alpha⟩ + ⟨alpha_weighted⟩, --json), cold process", ["history", run, "--summary", "--json"]),
        ("`wwmon history --layer` table with sparkline, cold process", ["history", run, "--layer", layer]),
        ("`wwmon runs` (for scale: process start + open), cold process", ["runs", "--json"]),
    ]
    for (name, argv) in queries {
        let t = try coldProcess(wwmon, argv)
        print(String(format: "| %@ | %.1f ms | %.1f ms |", name, percentile(t, 0.5), t.max() ?? 0))
    }
}
print(String(format: "| database size | %.1f MB total | %.1f MB per 1M layer rows |", size / 1e6, size / 1e6 / rows * 1e6))

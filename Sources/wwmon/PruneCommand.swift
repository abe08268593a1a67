import ArgumentParser
import Daemon
import Foundation
import Store
import Views

/// `wwmon prune`: applies retention rules now (the daemon applies `[store.retention]` itself,
/// a few seconds per maintenance tick); `--dry-run` lists what would go and changes nothing.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove old history by retention rules (print what is, or with --dry-run would be, removed).",
        discussion: """
        Rules come from the [store.retention] table of --config or from the flags (flags win). \
        Recent checkpoints (the last --keep-last of each run, or analysed within --keep-days) \
        are kept; older ones are thinned to one per --keep-every save intervals, or removed \
        when --keep-every is not given. The newest checkpoint of a run always stays. Runs whose \
        newest checkpoint is older than --drop-runs-after-days are removed with their alerts. \
        Alerts of removed checkpoints stay (they carry their step).
        """)

    @Option(name: .long, help: ArgumentHelp("Daemon configuration file to take [store] path and retention from.", valueName: "path"))
    var config: String?
    @Option(name: .long, help: ArgumentHelp("History database (default: the config's [store] path, else as for every command).", valueName: "path"))
    var db: String?
    @Option(name: .customLong("keep-days"), help: "Keep every checkpoint analysed within this many days.")
    var keepDays: Double?
    @Option(name: .customLong("keep-last"), help: "Keep the last N checkpoints of each run.")
    var keepLast: Int?
    @Option(name: .customLong("keep-every"), help: "Before the kept window, keep one checkpoint per K save intervals.")
    var keepEvery: Int?
    @Option(name: .customLong("drop-runs-after-days"), help: "Remove runs whose newest checkpoint is older than this many days.")
    var dropRunsAfterDays: Double?
    @Flag(name: .customLong("dry-run"), help: "Print what would be removed; change nothing.")
    var dryRun = false
    @Flag(help: "Once, rewrite the database so freed space goes back to the file system (older stores; blocks writers meanwhile).")
    var vacuum = false
    @Flag(help: "Print one JSON object.")
    var json = false

    func policyAndPath() throws -> (RetentionPolicy, String) {
        var policy = RetentionPolicy()
        var configured: String?
        if let config {
            do {
                let c = try DaemonConfig.load(path: config)
                policy = c.store.retention; configured = c.store.path
            } catch { throw RuntimeError("\(error)") }
        }
        if let keepDays { policy.keepDays = keepDays }
        if let keepLast { policy.keepLast = keepLast }
        if let keepEvery { policy.keepEvery = keepEvery }
        if let dropRunsAfterDays { policy.dropRunsAfterDays = dropRunsAfterDays }
        if let p = policy.problem {
            throw ValidationError(p.replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: "keep-", with: "--keep-")
                .replacingOccurrences(of: "drop-runs", with: "--drop-runs"))
        }
        if policy.isEmpty && !vacuum {
            throw ValidationError("No retention rules: give --config with a [store.retention] table, or --keep-days, --keep-last or --drop-runs-after-days.")
        }
        return (policy, db ?? configured ?? DatabaseLocation.resolve(explicit: nil))
    }

    struct Report: Encodable {
        struct RunRow: Encodable {
            var run: String; var checkpoints: Int; var lastAnalyzedAt: Date?
            enum CodingKeys: String, CodingKey { case run, checkpoints, lastAnalyzedAt = "last_analyzed_at" }
        }
        struct CheckpointRow: Encodable {
            var run: String; var step: Int; var version: Int; var path: String; var analyzedAt: Date
            enum CodingKeys: String, CodingKey { case run, step, version, path, analyzedAt = "analyzed_at" }
        }
        var dryRun: Bool
        var runs: [RunRow]
        var checkpoints: [CheckpointRow]
        var batches: Int
        var bytesFreed: Int
        var vacuumBytesFreed: Int?
        enum CodingKeys: String, CodingKey {
            case dryRun = "dry_run", runs, checkpoints, batches, bytesFreed = "bytes_freed"
            case vacuumBytesFreed = "vacuum_bytes_freed"
        }
        init(_ plan: RetentionPlan, dryRun: Bool, batches: Int, bytesFreed: Int, vacuum: Int?) {
            self.dryRun = dryRun; self.batches = batches; self.bytesFreed = bytesFreed; vacuumBytesFreed = vacuum
            runs = plan.runs.map { .init(run: $0.run, checkpoints: $0.checkpoints,
                                         lastAnalyzedAt: $0.lastAnalyzedAt.map(Date.init(timeIntervalSince1970:))) }
            checkpoints = plan.checkpoints.map { .init(run: $0.run, step: $0.step, version: $0.version, path: $0.path,
                                                       analyzedAt: Date(timeIntervalSince1970: $0.analyzedAt)) }
        }
    }

    func run() throws {
        let (policy, path) = try policyAndPath()
        let now = Date().timeIntervalSince1970
        let store = try dryRun ? HistoryStore(path: path, readOnly: true) : HistoryStore(path: path)
        let plan = policy.isEmpty ? RetentionPlan() : try store.retentionPlan(policy, now: now)
        var report = Report(plan, dryRun: true, batches: 0, bytesFreed: 0, vacuum: nil)
        if !dryRun {
            let r = try store.applyRetention(plan, policy: policy, now: now)
            report = Report(r.plan, dryRun: false, batches: r.batches, bytesFreed: r.bytesFreed,
                            vacuum: vacuum ? try store.vacuum() : nil)
        }
        if json {
            emit(String(decoding: try MachineJSON.encoder(pretty: true).encode(report), as: UTF8.self) + "\n")
            return
        }
        let verb = dryRun ? "would remove" : "removed"
        var out = ""
        for r in report.runs {
            out += "\(verb) run \(LogText.escape(r.run)) (\(r.checkpoints) checkpoints, last analysed \(r.lastAnalyzedAt.map(Text.time) ?? "never"))\n"
        }
        for c in report.checkpoints {
            out += "\(verb) \(LogText.escape(c.run)) step \(c.step)\(c.version > 1 ? " v\(c.version)" : "") \(LogText.escape(c.path))\n"
        }
        out += "\(store.path): \(report.runs.count) run\(report.runs.count == 1 ? "" : "s") and \(report.checkpoints.count) checkpoint\(report.checkpoints.count == 1 ? "" : "s") \(verb)"
        if !dryRun { out += "; \(report.bytesFreed) bytes returned to the file system" }
        if let v = report.vacuumBytesFreed { out += "; vacuum returned \(v) bytes more" }
        if !dryRun, report.vacuumBytesFreed == nil, !(try store.incrementalVacuumEnabled()) {
            out += " (this database predates incremental vacuum: freed pages are reused, the file does not shrink; run `wwmon prune --vacuum` once)"
        }
        emit(out + "\n")
    }
}

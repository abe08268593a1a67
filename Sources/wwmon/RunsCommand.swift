import ArgumentParser
import Foundation
import Daemon
import Store
import Views

/// `wwmon runs`: one line per run.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recorded runs: root, checkpoints, first/last step, last ⟨alpha⟩, alerts firing.",
        discussion: "Exit status 3 when any run has alerts firing (for scripts and cron).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions

    func run() throws {
        let store = try database.reader()
        let runs = try store.runs()
        let rows = runs.map(RunView.init)
        switch output.format {
        case .json: emit(try RunView.json(runs))
        case .ndjson: emit(try MachineJSON.lines(rows))
        case .csv:
            var out = CSV.row(["run", "root", "checkpoints", "errors", "first_step", "last_step",
                               "last_analyzed_at", "last_alpha", "last_alpha_weighted", "alerts_firing"])
            for r in runs {
                out += CSV.row([r.run, r.root ?? "", "\(r.checkpoints)", "\(r.errors)",
                                r.firstStep.map(String.init) ?? "", r.lastStep.map(String.init) ?? "",
                                r.lastAnalyzedAt.map(Text.time) ?? "", Text.exact(r.lastAlpha),
                                Text.exact(r.lastAlphaWeighted), "\(r.alertsFiring)"])
            }
            emit(out)
        case nil:
            // Checkpoints the daemon (or an ingest) is analysing now: under the table, since a
            // run's first checkpoint has no row until it is recorded.
            let analysing = try store.analysesInProgress()
            defer { emit(Self.inProgress(analysing, now: Date())) }
            if runs.isEmpty {
                emit(analysing.isEmpty ? "No runs recorded yet in \(store.path).\n" : "")
                return
            }
            let style = Style.forStandardOutput()
            var t = Table(["run", "checkpoints", "errors", "first step", "last step", "last analyzed",
                           "⟨alpha⟩", "⟨alpha_w⟩", "alerts", "root"], left: [0, 5, 9])
            for r in runs {
                let alphaTone: Style.Tone = r.lastAlpha.map { (2.0...6.0).contains($0) } == false ? .alert : .plain
                t.add([.init(r.run), .init("\(r.checkpoints)"),
                       .init("\(r.errors)", r.errors > 0 ? .alert : .plain),
                       .init(Text.step(r.firstStep)), .init(Text.step(r.lastStep)),
                       .init(r.lastAnalyzedAt.map(Text.time) ?? "-"),
                       .init(Text.fixed(r.lastAlpha), alphaTone), .init(Text.fixed(r.lastAlphaWeighted)),
                       .init(r.alertsFiring > 0 ? "\(r.alertsFiring) firing" : "-", r.alertsFiring > 0 ? .alert : .plain),
                       .init(r.root ?? "-", .dim)])
            }
            emit(t.render(style))
        }
        if runs.contains(where: { $0.alertsFiring > 0 }) { throw ExitCode(3) }
    }

    /// `analysing RUN: NAME 12/224 layers, for 3:05` lines, one per analysis in progress.
    static func inProgress(_ all: [AnalysisProgress], now: Date) -> String {
        all.map { p in
            let secs = max(0, Int(now.timeIntervalSince(p.startedAt)))
            let name = LogText.escape((p.path as NSString).lastPathComponent)
            return "analysing \(LogText.escape(p.run)): \(name) \(p.layersDone)/\(p.layersTotal) layers, for \(secs / 60):\(secs % 60 < 10 ? "0" : "")\(secs % 60)\n"
        }.joined()
    }
}

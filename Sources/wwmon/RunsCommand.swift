import ArgumentParser
import Foundation
import Store

/// `wwmon runs`: one line per run.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recorded runs: root, checkpoints, first/last step, last ⟨alpha⟩, alerts firing.",
        discussion: "Exit status 3 when any run has alerts firing (for scripts and cron).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions

    /// `runs --json` element; `run, root, checkpoints, first_step, last_step` are the contract.
    struct Row: Encodable {
        var overview: RunOverview
        enum K: String, CodingKey {
            case run, root, checkpoints, errors, firstStep = "first_step", lastStep = "last_step"
            case lastAnalyzedAt = "last_analyzed_at", lastAlpha = "last_alpha"
            case lastAlphaWeighted = "last_alpha_weighted", alertsFiring = "alerts_firing"
        }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: K.self)
            let o = overview
            try c.encode(o.run, forKey: .run); try c.encodeOrNull(o.root, forKey: .root)
            try c.encode(o.checkpoints, forKey: .checkpoints); try c.encode(o.errors, forKey: .errors)
            try c.encodeOrNull(o.firstStep, forKey: .firstStep); try c.encodeOrNull(o.lastStep, forKey: .lastStep)
            try c.encodeOrNull(o.lastAnalyzedAt, forKey: .lastAnalyzedAt)
            try c.encodeNumber(o.lastAlpha, forKey: .lastAlpha)
            try c.encodeNumber(o.lastAlphaWeighted, forKey: .lastAlphaWeighted)
            try c.encode(o.alertsFiring, forKey: .alertsFiring)
        }
    }

    func run() throws {
        let store = try database.reader()
        let runs = try store.runs()
        let rows = runs.map(Row.init)
        switch output.format {
        case .json: emit(try MachineJSON.array(rows))
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
            if runs.isEmpty {
                emit("No runs recorded yet in \(store.path).\n")
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
}

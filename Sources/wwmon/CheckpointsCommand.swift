import ArgumentParser
import Foundation
import Metrics
import Store
import Views

/// `wwmon checkpoints RUN`: every recorded checkpoint version of a run.
struct CheckpointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoints",
        abstract: "List a run's checkpoints: step, epoch, time, status, ⟨alpha⟩, ⟨alpha_weighted⟩, ⟨log_spectral_norm⟩.")

    @Argument(help: ArgumentHelp("Run name (see `wwmon runs`).", valueName: "run")) var runName: String
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions

    func run() throws {
        let store = try database.reader()
        let cps = try store.checkpoints(run: runName)
        switch output.format {
        case .json: emit(try CheckpointView.json(cps))
        case .ndjson: emit(try MachineJSON.lines(cps.map(CheckpointView.init)))
        case .csv:
            var out = CSV.row(["run", "step", "epoch", "path", "version", "status", "error", "analyzed_at",
                               "duration_seconds", "alpha", "alpha_weighted", "log_spectral_norm", "log_norm",
                               "log_alpha_norm", "stable_rank", "layers_analyzed", "layers_skipped", "layers_failed"])
            for c in cps {
                let s = c.summary
                out += CSV.row([c.run, "\(c.step)", Text.exact(c.epoch), c.path, "\(c.version)", c.status.rawValue,
                                c.error ?? "", Text.time(c.analyzedAt), Text.exact(c.durationSeconds),
                                Text.exact(s?.alpha), Text.exact(s?.alphaWeighted), Text.exact(s?.logSpectralNorm),
                                Text.exact(s?.logNorm), Text.exact(s?.logAlphaNorm), Text.exact(s?.stableRank),
                                s.map { "\($0.layersAnalyzed)" } ?? "", s.map { "\($0.layersSkipped)" } ?? "",
                                s.map { "\($0.layersFailed)" } ?? ""])
            }
            emit(out)
        case nil:
            let style = Style.forStandardOutput()
            var t = Table(["step", "epoch", "analyzed at", "status", "⟨alpha⟩", "⟨alpha_w⟩", "⟨log_spec⟩",
                           "layers", "path"], left: [2, 3, 8])
            for c in cps {
                let s = c.summary
                let alphaTone: Style.Tone = s.map { (2.0...6.0).contains($0.alpha) } == false ? .alert : .plain
                let path = c.version > 1 ? "\(c.path) (v\(c.version))" : c.path
                t.add([.init("\(c.step)"), .init(Text.fixed(c.epoch, 2)), .init(Text.time(c.analyzedAt)),
                       .init(c.status.rawValue, c.status == .ok ? .plain : .alert),
                       .init(Text.fixed(s?.alpha), alphaTone), .init(Text.fixed(s?.alphaWeighted)),
                       .init(Text.fixed(s?.logSpectralNorm)),
                       .init(s.map { "\($0.layersAnalyzed)" + ($0.layersFailed > 0 ? " (\($0.layersFailed) failed)" : "") } ?? "-"),
                       .init(path, .dim)])
            }
            // Reasons can be long: below the table, so the columns stay readable.
            let failed = cps.filter { $0.status == .error }
            emit(t.render(style) + (failed.isEmpty ? "" : "\n" + failed.map {
                style.paint("step \($0.step): \($0.error ?? "unknown error")", .alert) + "\n" }.joined()))
        }
    }
}

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
            let names = Set(cps.flatMap(\.training.keys)).sorted()
            var out = CSV.row(["run", "step", "epoch", "path", "version", "status", "error", "analyzed_at",
                               "duration_seconds", "alpha", "alpha_weighted", "log_spectral_norm", "log_norm",
                               "log_alpha_norm", "stable_rank", "layers_analyzed", "layers_skipped", "layers_failed",
                               "step_source"] + names.map { "training.\($0)" })
            for c in cps {
                let s = c.summary
                out += CSV.row([c.run, "\(c.step)", Text.exact(c.epoch), c.path, "\(c.version)", c.status.rawValue,
                                c.error ?? "", Text.time(c.analyzedAt), Text.exact(c.durationSeconds),
                                Text.exact(s?.alpha), Text.exact(s?.alphaWeighted), Text.exact(s?.logSpectralNorm),
                                Text.exact(s?.logNorm), Text.exact(s?.logAlphaNorm), Text.exact(s?.stableRank),
                                s.map { "\($0.layersAnalyzed)" } ?? "", s.map { "\($0.layersSkipped)" } ?? "",
                                s.map { "\($0.layersFailed)" } ?? "", c.stepSource]
                                + names.map { Text.exact(c.training[$0]) })
            }
            emit(out)
        case nil:
            let style = Style.forStandardOutput()
            // Training metrics beside ⟨alpha⟩, at most four columns so the table still fits.
            let names = Array(Set(cps.flatMap(\.training.keys)).sorted().prefix(4))
            var t = Table(["step", "source", "epoch", "analyzed at", "status", "⟨alpha⟩", "⟨alpha_w⟩", "⟨log_spec⟩"]
                          + names + ["layers", "path"], left: [1, 3, 4, 9 + names.count])
            // The same step twice with different weights is kept, and marked so it is not missed.
            var stepCount: [Int: Int] = [:]
            for c in cps where c.status != .vanished { stepCount[c.step, default: 0] += 1 }
            for c in cps {
                let s = c.summary
                let alphaTone: Style.Tone = s.map { (2.0...6.0).contains($0.alpha) } == false ? .alert : .plain
                var path = c.version > 1 ? "\(c.path) (v\(c.version))" : c.path
                if !c.aliasPaths.isEmpty { path += " = " + c.aliasPaths.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ") }
                let duplicate = (stepCount[c.step] ?? 0) > 1 && c.status != .vanished
                let stepText = "\(c.step)" + (duplicate ? " (dup)" : "")
                var cells: [Table.Cell] = [
                    Table.Cell(stepText, duplicate ? .alert : .plain), Table.Cell(c.stepSource, .dim),
                    Table.Cell(Text.fixed(c.epoch, 2)), Table.Cell(Text.time(c.analyzedAt)),
                    Table.Cell(c.status.rawValue, c.status == .ok ? .plain : .alert),
                    Table.Cell(Text.fixed(s?.alpha), alphaTone), Table.Cell(Text.fixed(s?.alphaWeighted)),
                    Table.Cell(Text.fixed(s?.logSpectralNorm)),
                ]
                for n in names { cells.append(Table.Cell(Text.fixed(c.training[n]))) }
                let layers: String = s.map { "\($0.layersAnalyzed)" + ($0.layersFailed > 0 ? " (\($0.layersFailed) failed)" : "") } ?? "-"
                cells.append(Table.Cell(layers))
                cells.append(Table.Cell(path, .dim))
                t.add(cells)
            }
            // Reasons can be long: below the table, so the columns stay readable.
            let failed = cps.filter { $0.status == .error }
            let vanished = cps.filter { $0.status == .vanished }.count
            let dups = stepCount.filter { $0.value > 1 }.keys.sorted()
            var notes = failed.map { style.paint("step \($0.step): \($0.error ?? "unknown error")", .alert) + "\n" }
            if vanished > 0 {
                notes.append(style.paint("\(vanished) checkpoint\(vanished == 1 ? " was" : "s were") deleted before they could be analysed (status vanished): "
                    + "the trainer rotates saves faster than settle_seconds (see README).", .alert) + "\n")
            }
            if !dups.isEmpty {
                notes.append(style.paint("step \(dups.map(String.init).joined(separator: ", ")) recorded more than once with different weights (dup).", .alert) + "\n")
            }
            emit(t.render(style) + (notes.isEmpty ? "" : "\n" + notes.joined()))
        }
    }
}

import ArgumentParser
import Foundation
import Metrics
import Store

/// `wwmon checkpoints RUN`: every recorded checkpoint version of a run.
struct CheckpointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoints",
        abstract: "List a run's checkpoints: step, epoch, time, status, ⟨alpha⟩, ⟨alpha_weighted⟩, ⟨log_spectral_norm⟩.")

    @Argument(help: ArgumentHelp("Run name (see `wwmon runs`).", valueName: "run")) var runName: String
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions

    /// `checkpoints --json` element; `run, step, epoch, path, status, error, analyzed_at,
    /// summary` are the contract (summary null for unreadable checkpoints).
    struct Row: Encodable {
        var c: CheckpointRecord
        enum K: String, CodingKey {
            case run, step, epoch, path, status, error, analyzedAt = "analyzed_at", summary
            case version, stepSource = "step_source", format, durationSeconds = "duration_seconds"
            case file
        }
        func encode(to encoder: Encoder) throws {
            var k = encoder.container(keyedBy: K.self)
            try k.encode(c.run, forKey: .run); try k.encode(c.step, forKey: .step)
            try k.encodeNumber(c.epoch, forKey: .epoch); try k.encode(c.path, forKey: .path)
            try k.encode(c.status, forKey: .status); try k.encodeOrNull(c.error, forKey: .error)
            try k.encode(c.analyzedAt, forKey: .analyzedAt); try k.encodeOrNull(c.summary, forKey: .summary)
            try k.encode(c.version, forKey: .version); try k.encode(c.stepSource, forKey: .stepSource)
            try k.encodeOrNull(c.format, forKey: .format)
            try k.encodeNumber(c.durationSeconds, forKey: .durationSeconds)
            try k.encode(c.identity, forKey: .file)
        }
    }

    func run() throws {
        let store = try database.reader()
        let cps = try store.checkpoints(run: runName)
        switch output.format {
        case .json: emit(try MachineJSON.array(cps.map(Row.init)))
        case .ndjson: emit(try MachineJSON.lines(cps.map(Row.init)))
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

import ArgumentParser
import Foundation
import Metrics
import Store
import Views

/// `wwmon compare RUN --from S1 --to S2`: which layers moved most; or two runs side by side.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Per-layer deltas between two checkpoints, biggest movers first.",
        discussion: """
        Within a run: --from/--to steps (default first → latest analysed). Across runs: --with \
        OTHER compares RUN@--from with OTHER@--to (each default latest). When the two sides \
        differ in depth, ⟨alpha⟩ alone can mislead (Simpson's paradox): compare ⟨alpha_weighted⟩ \
        and ⟨log_spectral_norm⟩ instead; ⟨alpha⟩ is for hyper-parameter changes within one \
        architecture. The command says which applies.
        """)

    @Argument(help: ArgumentHelp("Run name (see `wwmon runs`).", valueName: "run")) var runName: String
    @Option(name: .long, help: "Step of the first checkpoint.") var from: Int?
    @Option(name: .long, help: "Step of the second checkpoint.") var to: Int?
    @Option(name: .customLong("with"), help: "Compare with this other run.") var otherRun: String?
    @Option(name: .long, help: "Per-layer metric.") var metric: LayerMetric = .alpha
    @Option(name: .long, help: "Show only the K biggest movers in the table.") var top: Int?
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1.") }
    }

    func run() throws {
        let store = try database.reader()
        let c = try store.compare(run: runName, from: from, to: to, metric: metric,
                                  otherRun: otherRun)
        let doc = CompareView(c)
        let (recommended, note, summary, layers) = (doc.recommendedMetric, doc.note, doc.summary, doc.layers)
        switch output.format {
        case .json: emit(try doc.json())
        case .ndjson: emit(try MachineJSON.lines(layers))
        case .csv:
            var out = CSV.row(["layer", "metric", "from", "to", "delta"])
            for d in summary + layers {
                out += CSV.row([d.layer ?? "", d.metric, Text.exact(d.from), Text.exact(d.to), Text.exact(d.to - d.from)])
            }
            emit(out)
        case nil:
            let style = Style.forStandardOutput()
            var out = style.paint("from \(c.from.run) step \(c.from.step)  →  to \(c.to.run) step \(c.to.step)", .bold) + "\n\n"
            var s = Table(["summary", "from", "to", "delta", ""], left: [0, 4])
            for d in summary {
                s.add([.init("⟨\(d.metric)⟩"), .init(Text.fixed(d.from)), .init(Text.fixed(d.to)),
                       .init(Text.fixed(d.to - d.from)), .init(d.metric == recommended ? "← applies" : "", .good)])
            }
            out += s.render(style) + "\n" + note + "\n\n"
            let range = metric.healthyRange
            var t = Table(["layer", metric.rawValue + " from", "to", "delta", ""], left: [0, 4])
            for d in layers.prefix(top ?? layers.count) {
                let outside = range.map { !$0.contains(d.to) && !d.to.isNaN } ?? false
                t.add([.init(d.layer ?? "-"), .init(Text.fixed(d.from)), .init(Text.fixed(d.to), outside ? .alert : .plain),
                       .init(Text.fixed(d.to - d.from)), .init(outside ? "out of range" : "", .alert)])
            }
            out += layers.isEmpty ? "No layers in common.\n" : t.render(style)
            if let top, layers.count > top { out += style.paint("… \(layers.count - top) more layers (drop --top to see all)", .dim) + "\n" }
            if !c.onlyInFrom.isEmpty { out += "only in \(c.from.run)@\(c.from.step): \(c.onlyInFrom.joined(separator: ", "))\n" }
            if !c.onlyInTo.isEmpty { out += "only in \(c.to.run)@\(c.to.step): \(c.onlyInTo.joined(separator: ", "))\n" }
            emit(out)
        }
    }
}

import ArgumentParser
import Foundation
import Metrics
import Store

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

    /// Which summary metric a comparison should be read with, and why.
    static func guidance(_ c: Comparison) -> (metric: String, note: String) {
        if c.differentDepth {
            return ("alpha_weighted",
                    "The two sides differ in depth (\(c.depthFrom) vs \(c.depthTo) analysed layers): compare "
                    + "⟨alpha_weighted⟩ and ⟨log_spectral_norm⟩. ⟨alpha⟩ alone can mislead across depths "
                    + "(Simpson's paradox); use it for hyper-parameter changes within one architecture.")
        }
        return ("alpha",
                "Same depth (\(c.depthFrom) analysed layers): ⟨alpha⟩ compares hyper-parameters within this "
                + "architecture (smaller is better-trained while above 2); ⟨alpha_weighted⟩ is shown for depth and scale.")
    }

    static var summaryMetrics: [(String, KeyPath<Summary, Double>)] { [
        ("alpha", \.alpha), ("alpha_weighted", \.alphaWeighted), ("log_spectral_norm", \.logSpectralNorm),
        ("log_norm", \.logNorm), ("log_alpha_norm", \.logAlphaNorm), ("stable_rank", \.stableRank),
    ] }

    struct Side: Encodable { var run: String; var step: Int; var path: String; var version: Int }
    struct Delta: Encodable {
        var layer: String?
        var metric: String
        var from: Double
        var to: Double
        enum K: String, CodingKey { case layer, metric, from, to, delta }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: K.self)
            try c.encodeOrNull(layer, forKey: .layer); try c.encode(metric, forKey: .metric)
            try c.encodeNumber(from, forKey: .from); try c.encodeNumber(to, forKey: .to)
            try c.encodeNumber(to - from, forKey: .delta)
        }
    }
    struct Document: Encodable {
        var from: Side, to: Side, metric: String, depthFrom: Int, depthTo: Int
        var recommendedMetric: String, note: String
        var summary: [Delta], layers: [Delta], onlyInFrom: [String], onlyInTo: [String]
        enum CodingKeys: String, CodingKey {
            case from, to, metric, depthFrom = "depth_from", depthTo = "depth_to"
            case recommendedMetric = "recommended_metric", note, summary, layers
            case onlyInFrom = "only_in_from", onlyInTo = "only_in_to"
        }
    }

    func run() throws {
        let store = try database.reader()
        let c = try store.compare(run: runName, from: from, to: to, metric: metric,
                                  otherRun: otherRun)
        let (recommended, note) = Self.guidance(c)
        let layers = c.deltas.map { Delta(layer: $0.layer, metric: metric.rawValue, from: $0.from, to: $0.to) }
        let summary = Self.summaryMetrics.map { name, kp in
            Delta(layer: nil, metric: name, from: c.from.summary?[keyPath: kp] ?? .nan, to: c.to.summary?[keyPath: kp] ?? .nan)
        }
        func side(_ r: CheckpointRecord) -> Side { Side(run: r.run, step: r.step, path: r.path, version: r.version) }
        switch output.format {
        case .json:
            let doc = Document(from: side(c.from), to: side(c.to), metric: metric.rawValue, depthFrom: c.depthFrom,
                               depthTo: c.depthTo, recommendedMetric: recommended, note: note, summary: summary,
                               layers: layers, onlyInFrom: c.onlyInFrom, onlyInTo: c.onlyInTo)
            emit(String(decoding: try MachineJSON.encoder(pretty: true).encode(doc), as: UTF8.self) + "\n")
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

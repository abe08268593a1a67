import ArgumentParser
import Foundation
import Metrics
import Ranking
import Store

/// `wwmon rank`: runs of a sweep side by side at comparable points, ranked within their group
/// by ⟨alpha⟩ and across groups by ⟨alpha_weighted⟩, with the rank correlations of each
/// WeightWatcher metric with a training metric and Simpson's paradox flagged (issue 14).
struct RankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "Rank runs of a sweep: ⟨alpha⟩ within groups, ⟨alpha_weighted⟩ across; correlations with a training metric.",
        discussion: """
            Groups are architectures (runs whose analysed layers have the same ordered shapes) \
            unless --group-by names a tag. Correlations (Spearman, Kendall tau-b) need a training \
            metric recorded with the compared checkpoints (`wwmon note RUN --step S test_accuracy=0.97`).
            """)

    @Argument(help: ArgumentHelp("Runs to compare (default: every run).", valueName: "run")) var runs: [String] = []
    @Option(help: ArgumentHelp("Only the runs of this group.", valueName: "group")) var group: String?
    @Option(name: .customLong("group-by"), help: ArgumentHelp(
        "Group by this tag instead of the architecture.", valueName: "key")) var groupBy: String?
    @Option(help: ArgumentHelp("Only runs with this tag (repeatable; all must match).", valueName: "key=value"))
    var tag: [String] = []
    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Where runs are compared: latest (default), step N or epoch E (each run's newest analysed checkpoint at or before it).",
        valueName: "point"))
    var at: [String] = []
    @Option(help: ArgumentHelp(
        "Training metric to correlate with (default: the first of \(RankCommand.defaultTargets.joined(separator: ", ")) recorded).",
        valueName: "metric"))
    var target: String?
    @Flag(help: "Print one JSON object: runs, correlations, paradox.") var json = false
    @Flag(help: "Print the runs as CSV with a header row.") var csv = false
    @Option(help: ArgumentHelp("Write a scatter plot (metric against the target, one colour and fit line per group).",
                               valueName: "file.svg"))
    var svg: String?
    @Option(name: .customLong("svg-metric"), help: ArgumentHelp(
        "WeightWatcher metric on the plot's x axis: alpha, alpha_weighted, log_spectral_norm, log_norm.",
        valueName: "metric"))
    var svgMetric: SweepMetric = .alpha
    @OptionGroup var database: DatabaseOptions

    static let defaultTargets = ["test_accuracy", "eval_accuracy", "val_accuracy", "accuracy", "test_acc",
                                 "eval_acc", "val_acc", "acc", "eval_loss", "val_loss", "test_loss"]

    var point: ComparisonPoint {
        get throws {
            let words = at.flatMap { $0.split(whereSeparator: { " =:".contains($0) }).map(String.init) }
            switch words.first {
            case nil: return .latest
            case "latest" where words.count == 1: return .latest
            case "step" where words.count == 2:
                if let s = Int(words[1]) { return .step(s) }
            case "epoch" where words.count == 2:
                if let e = Double(words[1]), e.isFinite { return .epoch(e) }
            default: break
            }
            throw ValidationError("--at takes latest, step N or epoch E (found \"\(at.joined(separator: " "))\"); put run names before --at.")
        }
    }

    func validate() throws {
        if json && csv { throw ValidationError("Choose one of --json and --csv.") }
        _ = try point
        _ = try TagCommand.parse(tag)
    }

    func run() throws {
        let store = try database.reader()
        let (found, missing) = try store.sweep(runs: runs, at: try point)
        let wanted = try TagCommand.parse(tag)
        var points: [SweepPoint] = []
        for r in found where wanted.allSatisfy({ r.tags[$0.key] == $0.value }) {
            let groupName: String
            if let key = groupBy { groupName = r.tags[key].map { "\(key)=\($0)" } ?? "\(key) untagged" } else {
                groupName = ArchitectureFingerprint.group(r.shapes.map { .init(n: $0.n, m: $0.m, rf: $0.rf) })
            }
            points.append(SweepPoint(
                run: r.checkpoint.run, group: groupName, step: r.checkpoint.step, epoch: r.checkpoint.epoch,
                metrics: Self.metrics(r.checkpoint.summary), training: r.checkpoint.training))
        }
        if let group {
            let known = points.map(\.group).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            points = points.filter { $0.group == group }
            if points.isEmpty {
                throw RuntimeError("no run in group \"\(group)\"; groups: \(known.joined(separator: ", "))")
            }
        }
        for m in missing {
            FileHandle.standardError.write(Data("wwmon: note: run \(m) has no analysed checkpoint at \(at.isEmpty ? "latest" : at.joined(separator: " ")); left out.\n".utf8))
        }
        if points.isEmpty {
            throw RuntimeError(tag.isEmpty ? "no analysed runs to rank" : "no run has the tags \(tag.joined(separator: " "))")
        }

        let ranked = Ranking.rank(points)
        let chosenTarget = target ?? Self.defaultTargets.first { t in
            points.filter { $0.training[t]?.isFinite == true }.count >= Correlation.minimumPoints
        }
        var correlations: [Correlation] = []
        if let t = chosenTarget {
            correlations = Correlation.sweep(points, target: t)
            for p in points {
                let along = try store.runPoints(run: p.run).map {
                    SweepPoint(run: p.run, group: p.group, step: $0.step, metrics: Self.metrics($0.summary),
                               training: $0.training)
                }
                for m in SweepMetric.allCases {
                    let c = Correlation(metric: m, target: t, scope: .along(run: p.run), points: along)
                    if c.n >= Correlation.minimumPoints { correlations.append(c) }
                }
            }
        }
        let paradoxes = Paradox.find(correlations.filter { if case .along = $0.scope { false } else { true } })

        if let svg {
            let m = svgMetric
            let t = chosenTarget ?? "(no training metric)"
            let plot = ScatterSVG(title: "⟨\(m.rawValue)⟩ vs \(t)", xLabel: "⟨\(m.rawValue)⟩", yLabel: t,
                                  points: points.map { (group: $0.group, run: $0.run, x: $0.value(m),
                                                        y: $0.training[t] ?? .nan) })
            do { try Data(plot.render().utf8).write(to: URL(fileURLWithPath: svg)) } catch {
                throw RuntimeError("cannot write \(svg): \(error.localizedDescription)")
            }
        }

        if json {
            emit(try RankOutput.json(ranked: ranked, correlations: correlations, paradoxes: paradoxes))
        } else if csv {
            emit(RankOutput.csv(ranked: ranked))
        } else {
            emit(RankOutput.table(ranked: ranked, correlations: correlations, paradoxes: paradoxes,
                                  target: chosenTarget, style: Style.forStandardOutput()))
        }
    }
}

extension RankCommand {
    /// The four averages a sweep is compared on (NaN for a checkpoint without a summary).
    static func metrics(_ s: Summary?) -> [SweepMetric: Double] {
        [.alpha: s?.alpha ?? .nan, .alphaWeighted: s?.alphaWeighted ?? .nan,
         .logSpectralNorm: s?.logSpectralNorm ?? .nan, .logNorm: s?.logNorm ?? .nan]
    }
}

/// A fixed choice: the parser rejects anything else and lists the valid values.
extension SweepMetric: ExpressibleByArgument {}

import ArgumentParser
import Foundation
import Ranking
import Store
import Views

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
        "Training metric to correlate with (default: the first of \(SweepReport.defaultTargets.joined(separator: ", ")) recorded).",
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
        var request = SweepReport.Request()
        request.runs = runs; request.point = try point; request.tags = try TagCommand.parse(tag)
        request.groupBy = groupBy; request.group = group; request.target = target
        let report = try SweepReport.build(try database.reader(), request)
        for m in report.missing {
            FileHandle.standardError.write(Data("wwmon: note: run \(m) has no analysed checkpoint at \(at.isEmpty ? "latest" : at.joined(separator: " ")); left out.\n".utf8))
        }
        let (ranked, correlations, paradoxes, chosenTarget) = (report.ranked, report.correlations, report.paradoxes, report.target)
        if let svg {
            do { try Data(report.scatter(svgMetric).render().utf8).write(to: URL(fileURLWithPath: svg)) } catch {
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

/// A fixed choice: the parser rejects anything else and lists the valid values.
extension SweepMetric: ExpressibleByArgument {}

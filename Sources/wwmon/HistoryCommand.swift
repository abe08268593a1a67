import ArgumentParser
import Foundation
import Store
import Views

/// `wwmon history RUN`: metric series over checkpoints, for one layer, every layer, or the
/// run's summary.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show how a metric moved over a run's checkpoints (one layer, every layer, or the summary).",
        discussion: """
        Without --layer or --summary: one sparkline per layer. --summary shows ⟨alpha⟩ and \
        ⟨alpha_weighted⟩ side by side unless --metric is given: ⟨alpha⟩ tracks hyper-parameter \
        changes within one architecture, ⟨alpha_weighted⟩ (and ⟨log_spectral_norm⟩) tracks \
        changes of depth or scale (WeightWatcher README). In tables, points outside the healthy \
        alpha range 2–6 are marked and failed fits are gaps.
        --summary also shows the run's training metrics (eval_loss, … read from the checkpoints \
        or attached with `wwmon note`) beside them; `--metric eval_loss` shows one alone.
        Layer metrics: \(LayerMetric.allCases.map(\.rawValue).joined(separator: ", ")).
        Summary metrics: \(SummaryMetric.allCases.map(\.rawValue).joined(separator: ", ")).
        Training metrics: whatever the run has (`wwmon checkpoints RUN --json` lists them).
        """)

    @Argument(help: ArgumentHelp("Run name (see `wwmon runs`).", valueName: "run")) var runName: String
    // A String, not an enum: the valid names depend on --summary (layer or summary metrics);
    // target() checks them and completions offer both lists.
    @Option(name: .long, help: "Metric to show (repeatable). Default alpha; alpha and alpha_weighted with --summary.",
            completion: .list(Array(Set(LayerMetric.allCases.map(\.rawValue) + SummaryMetric.allCases.map(\.rawValue))).sorted()))
    var metric: [String] = []
    @Option(name: .long, help: "One layer, by its (normalised) name.") var layer: String?
    @Flag(name: .long, help: "The run's summary series (WeightWatcher's get_summary means).") var summary = false
    @Option(name: .long, help: "Only the newest K checkpoints.") var last: Int?
    @Flag(name: .long, help: "Keep printing new points as they are recorded (NDJSON).") var follow = false
    @Option(name: .long, help: "Seconds between polls with --follow.") var interval: Double = 1
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions

    typealias Target = HistoryQuery

    func validate() throws {
        if let last, last < 1 { throw ValidationError("--last must be at least 1.") }
        if follow && (output.json || output.csv) {
            throw ValidationError("--follow streams NDJSON only; drop --json/--csv.")
        }
        // Below 0.05 s --follow would spin (1e-300 once did); above a day it is surely a typo.
        if !(interval >= 0.05 && interval <= 86_400) {
            throw ValidationError("--interval must be between 0.05 and 86400 seconds (found \(interval)).")
        }
        if !summary && layer == nil && metric.count > 1 {
            throw ValidationError("Every-layer view shows one metric; pass one --metric or add --layer/--summary.")
        }
        _ = try target()
    }

    func target() throws -> Target {
        do { return try HistoryQuery(metrics: metric, layer: layer, summary: summary) } catch let e as HistoryQuery.Invalid {
            throw ValidationError(e.description)
        }
    }

    func series(_ store: HistoryStore, _ target: Target, after: Int64?) throws -> [Series] {
        try target.series(store, run: runName, last: last, after: after)
    }

    func resolved(_ store: HistoryStore, _ target: Target) throws -> Target {
        do { return try target.resolved(store, run: runName) } catch let e as HistoryQuery.Invalid {
            throw ValidationError(e.description)
        }
    }

    func rows(_ series: [Series]) -> [HistoryView] { HistoryView.rows(run: runName, series) }

    func run() async throws {
        let store = try database.reader()
        let target = try resolved(store, try target())
        if follow { return try await followLoop(store, target) }
        let series = try series(store, target, after: nil)
        switch output.format {
        case .json: emit(HistoryView.json(run: runName, series))
        case .ndjson: emit(FlatJSON.lines(rows(series).map(\.json)))
        case .csv:
            var out = CSV.row(["run", "step", "epoch", "time", "layer", "metric", "value", "status"])
            for r in rows(series) {
                out += CSV.row([r.run, "\(r.point.step)", Text.exact(r.point.epoch), r.time,
                                r.layer ?? "", r.metric, Text.exact(r.point.value), r.point.status])
            }
            emit(out)
        case nil:
            emit(HistoryTable.render(run: runName, target: target, series: series, style: .forStandardOutput()))
        }
    }

    /// Prints what exists, then polls for points of checkpoints recorded since. Another
    /// process writes, so GRDB's in-process observation cannot see it; a poll of an indexed
    /// `id > last` query is cheap.
    func followLoop(_ store: HistoryStore, _ target: Target) async throws {
        var seen: Int64 = 0
        while true {
            let fresh = try series(store, target, after: seen == 0 ? nil : seen)
            let r = rows(fresh)
            if !r.isEmpty {
                emit(FlatJSON.lines(r.sorted { ($0.point.checkpointID, $0.metric) < ($1.point.checkpointID, $1.metric) }.map(\.json)))
            }
            seen = max(seen, r.map(\.point.checkpointID).max() ?? 0, try store.latestCheckpointID(run: runName))
            try await Task.sleep(for: .milliseconds(Int((interval * 1000).rounded())))
        }
    }
}

/// The people view of `history`.
enum HistoryTable {
    static func render(run: String, target: HistoryCommand.Target, series: [Series], style: Style) -> String {
        switch target {
        case .allLayers(let m):
            var t = Table(["layer", "points", "first", "last", "min", "max", "out of range", "history"], left: [0, 7])
            for s in series {
                let vals = s.points.map { $0.isGap ? nil : $0.value } as [Double?]
                let finite = vals.compactMap { $0 }.filter(\.isFinite)
                let out = Sparkline.outOfRange(vals, healthy: m.healthyRange)
                t.add([.init(s.layer ?? "-"), .init("\(s.points.count)"),
                       .init(Text.fixed(vals.first ?? nil)), .init(Text.fixed(vals.last ?? nil)),
                       .init(Text.fixed(finite.min())), .init(Text.fixed(finite.max())),
                       .init(out > 0 ? "\(out)" : "-", out > 0 ? .alert : .plain),
                       .init(Sparkline.render(vals, healthy: m.healthyRange, style: style))])
            }
            let head = "run \(run) · \(m.rawValue) per layer" + (m.healthyRange.map { " · healthy \(Text.fixed($0.lowerBound, 0))–\(Text.fixed($0.upperBound, 0))" } ?? "")
            return head + "\n" + (series.isEmpty ? "No analysed checkpoints yet.\n" : t.render(style))
        case .layer(let name, _):
            return pointsTable(title: "run \(run) · layer \(name)", series: series, ranges: series.map {
                LayerMetric(rawValue: $0.metric)?.healthyRange }, labels: series.map(\.metric), style: style)
        case .summary(let ms, _):
            var text = pointsTable(title: "run \(run) · summary", series: series,
                                   ranges: ms.map(\.healthyRange), labels: ms.map(\.label), style: style)
            if ms.contains(.ww(.alpha)) && ms.contains(.ww(.alphaWeighted)) {
                text += style.paint("⟨alpha⟩ follows hyper-parameter changes within one architecture; "
                    + "⟨alpha_weighted⟩ follows depth and scale (compare runs of different depth with it).", .dim) + "\n"
            }
            return text
        }
    }

    /// Sparkline per series, then one row per checkpoint with every series' value.
    static func pointsTable(title: String, series: [Series], ranges: [ClosedRange<Double>?], labels: [String],
                            style: Style) -> String {
        guard let first = series.first, !first.points.isEmpty else { return title + "\nNo points yet.\n" }
        var out = style.paint(title + " · \(first.points.count) checkpoints", .bold) + "\n"
        let width = labels.map(\.count).max() ?? 0
        for (i, s) in series.enumerated() {
            let vals = s.points.map { $0.isGap ? nil : $0.value } as [Double?]
            let outCount = Sparkline.outOfRange(vals, healthy: ranges[i])
            let note = outCount > 0 ? "  " + style.paint("\(outCount) outside \(Text.fixed(ranges[i]!.lowerBound, 0))–\(Text.fixed(ranges[i]!.upperBound, 0))", .alert) : ""
            out += labels[i].padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + Sparkline.render(vals, healthy: ranges[i], style: style)
                + "  \(Text.fixed(vals.first { $0 != nil } ?? nil)) → \(Text.fixed(vals.last { $0 != nil } ?? nil))" + note + "\n"
        }
        out += "\n"
        var t = Table(["step", "epoch", "time"] + labels + ["note"], left: [2, 3 + labels.count])
        // Series of one target share checkpoints; index each by checkpoint id to line them up.
        let byID = series.map { Dictionary($0.points.map { ($0.checkpointID, $0) }, uniquingKeysWith: { a, _ in a }) }
        for p in first.points {
            var cells: [Table.Cell] = [.init("\(p.step)"), .init(Text.fixed(p.epoch, 2)), .init(Text.time(p.time))]
            var notes: [String] = []
            for (i, m) in byID.enumerated() {
                guard let q = m[p.checkpointID] else { cells.append(.init("-")); continue }
                let outside = !q.isGap && ranges[i].map { !$0.contains(q.value) } == true
                if q.status == "failed" { notes.append("failed fit") }
                if q.status == "error" { notes.append("unreadable") }
                if outside { notes.append("\(labels[i]) out of range") }
                cells.append(.init(q.status == "error" ? "-" : Text.fixed(q.value), outside ? .alert : (q.status == "failed" ? .dim : .plain)))
            }
            cells.append(.init(Array(Set(notes)).sorted().joined(separator: ", "), notes.isEmpty ? .plain : .alert))
            t.add(cells)
        }
        return out + t.render(style)
    }
}

import ArgumentParser
import Foundation
import Store
import Views

/// `wwmon layers RUN [--step S]`: the per-layer table of one recorded checkpoint, rendered
/// exactly as `wwmon analyze` renders a fresh one.
struct LayersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "Show the per-layer metrics of one checkpoint of a run (the latest analysed by default).",
        discussion: "--json prints the same object as `wwmon analyze --format json`.")

    @Argument(help: ArgumentHelp("Run name (see `wwmon runs`).", valueName: "run")) var runName: String
    @Option(name: .long, help: "Checkpoint step (default: the latest analysed).") var step: Int?
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions

    func run() throws {
        let store = try database.reader()
        let (record, report) = try store.layers(run: runName, step: step)
        let perSlice = report.layers.contains { $0.sliceID != nil }
        switch output.format {
        case .json: emit(try LayersView.json(report))
        case .ndjson: emit(try MachineJSON.lines(report.layers))
        case .csv: emit(ReportOutput.csv(report.layers))
        case nil:
            let style = Style.forStandardOutput()
            let head = "run \(record.run) · step \(record.step)" + (record.epoch.map { " · epoch \(Text.fixed($0, 2))" } ?? "")
                + " · \(record.path)" + (record.version > 1 ? " (v\(record.version))" : "")
                + " · analyzed \(Text.time(record.analyzedAt))"
            emit(style.paint(head, .bold) + "\n" + ReportOutput.table(report, perSlice: perSlice))
        }
    }
}

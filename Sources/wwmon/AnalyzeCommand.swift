import Analysis
import ArgumentParser
import Foundation
import Views
import Logging
import Metrics

/// `wwmon analyze PATH`: WeightWatcher 0.7.7's per-layer table and summary for one checkpoint.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Print WeightWatcher metrics of every weight matrix of a checkpoint.",
        discussion: """
        PATH is a .safetensors file, a folder of shards (model.safetensors.index.json) or of \
        *.safetensors files, a torch.save file (.pt/.pth/.bin/.ckpt; Lightning checkpoints \
        included), .npy/.npz, an HF checkpoint-N/ folder or a DeepSpeed global_stepN/ folder. \
        --json (or --format json) prints {"layers": [...], "summary": {...}, "checkpoint": {...}} \
        with WeightWatcher's column names; non-finite numbers are null.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @Argument(help: "Checkpoint file or folder.") var path: String
    @Option(help: "Output format: table, json or csv.") var format: Format = .table
    @Flag(help: "Same as --format json.") var json = false
    @OptionGroup var analysis: AnalysisFlags
    @Flag(help: "Use dgesdd for every matrix (WW's routine) instead of the Gram path with fallback.")
    var exactSvd = false
    @Option(help: "Layers computed at once (default: number of cores).") var jobs: Int?
    @Flag(name: .shortAndLong, help: "Say which BLAS kernel runs and how long it took (stderr).")
    var verbose = false

    func validate() throws {
        if let j = jobs, j < 1 { throw ValidationError("--jobs must be at least 1") }
        if json && format != .table && format != .json { throw ValidationError("--json contradicts --format \(format).") }
    }

    func run() async throws {
        var options = try analysis.options(concurrency: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        options.method = exactSvd ? .gesdd : .gram
        let start = ContinuousClock.now
        let report: CheckpointReport
        let line = ProgressLine()
        var progress: Analyzer.Progress?
        if line.enabled { progress = { @Sendable done, total in line.update(done: done, total: total) } }
        do {
            defer { line.clear() }
            report = try await Analyzer(options: options, logger: Logger(label: "wwmon.analyze"))
                .analyze(path: path, progress: progress)
        } catch {
            throw RuntimeError("\(error)")
        }
        if verbose {
            let took = ContinuousClock.now - start
            FileHandle.standardError.write(Data("\(KernelSelection.describe()); \(report.layers.count) rows in \(took)\n".utf8))
        }
        let text: String
        switch json ? .json : format {
        case .json: text = try LayersView.json(report)
        case .csv: text = ReportOutput.csv(report.layers)
        case .table: text = ReportOutput.table(report, perSlice: !options.pool)
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// An error whose description is the whole message (printed as `wwmon: <message>`, exit 1).
struct RuntimeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

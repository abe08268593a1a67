import Alerts
import Analysis
import ArgumentParser
import Daemon
import Foundation
import Views
import Logging
import Store

/// `wwmon ingest PATH --run NAME`: analyse one checkpoint and record it — what the daemon does
/// for each checkpoint it sees, by hand, through the daemon's own job and pipeline
/// (`AnalysisScheduler.process` + `StorePipeline`): the same step decision, aliases, error rows
/// and alert rules (hooks of --config run too).
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Analyse a checkpoint and record it in the history (a no-op if already recorded).",
        discussion: """
        A checkpoint is identified by its path and its weight files (size, mtime, inode, device): \
        ingesting it again does nothing; new weights at the same path are its next version; \
        tensors equal to a recorded checkpoint of the run make an alias of it. A checkpoint that \
        cannot be analysed is recorded with the reason (exit 1). Alert rules run as in the \
        daemon; with --config its [alerts] thresholds and hooks are used. --report FILE records a report \
        printed earlier by `wwmon analyze --format json` (e.g. computed on another machine) \
        instead of analysing PATH; PATH still names the checkpoint and gives its identity.
        """)

    @Argument(help: "Checkpoint file or folder.") var path: String
    @Option(name: .customLong("run"), help: "Run the checkpoint belongs to.") var runName: String
    @Option(name: .long, help: "The run's root folder (shown by `wwmon runs`).") var root: String?
    @Option(name: .long, help: "Training step (default: from the checkpoint, else arrival order).") var step: Int?
    @Option(name: .long, help: "Training epoch (default: from the checkpoint).") var epoch: Double?
    @Option(name: .long, help: "Record this `wwmon analyze --format json` output instead of analysing (- = stdin).")
    var report: String?
    @OptionGroup var analysis: AnalysisFlags
    @Option(help: "Layers computed at once (default: number of cores).") var jobs: Int?
    @Flag(name: .long, help: "Print the outcome as one JSON object.") var json = false
    @Flag(name: .long, help: "Analyse again a checkpoint recorded as an error (its error row is replaced).")
    var force = false
    @Flag(name: .long, help: "Do not keep the layers' eigenvalues (the dashboard's ESD plots).") var noEsd = false
    @Option(name: .long, help: ArgumentHelp("Daemon configuration whose [analysis], [alerts] and hooks apply.", valueName: "path"))
    var config: String?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        try analysis.validate()
        if let j = jobs, j < 1 { throw ValidationError("--jobs must be at least 1.") }
        if runName.isEmpty { throw ValidationError("--run must not be empty.") }
    }

    struct Outcome: Encodable {
        var status: String
        var run: String
        var path: String
        var checkpointID: Int64?
        var step: Int?
        var error: String?
        enum CodingKeys: String, CodingKey {
            case status, run, path, checkpointID = "checkpoint_id", step, error
        }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(status, forKey: .status); try c.encode(run, forKey: .run); try c.encode(path, forKey: .path)
            try c.encodeOrNull(checkpointID, forKey: .checkpointID); try c.encodeOrNull(step, forKey: .step)
            try c.encodeOrNull(error, forKey: .error)
        }
    }

    func run() async throws {
        let store = try database.writer()
        let cfg: DaemonConfig
        if let config {
            do { cfg = try DaemonConfig.load(path: config) } catch { throw RuntimeError("\(error)") }
        } else {
            cfg = DaemonConfig(watches: [])
        }
        var options = cfg
        // Flags given on the command line override the config's [analysis] keys.
        options.analysis.ww = options.analysis.ww.overridden(by: analysis.settings)
        if let jobs { options.analysis.threads = jobs }
        if noEsd { options.store.spectra = nil }
        // The daemon's own pipeline: the same job, the same checks, the same alert rules.
        var logger = Logger(label: "wwmon.ingest")
        logger.logLevel = .warning
        let pipeline = StorePipeline(store: store, config: options, logger: logger)
        let candidate = CheckpointCandidate.single(path: path, run: runName, root: root)
        guard let stamps = candidate.stamps() else {
            throw RuntimeError("\(path) does not exist.")
        }
        var job = AnalysisJob(candidate: candidate, fingerprint: stamps)
        job.userStep = step
        job.userEpoch = epoch
        if report != nil { job.precomputed = PrecomputedReport(try decodeReport()) }
        if force, try store.forgetError(job.identity) {
            logger.notice("error row removed; analysing again", metadata: ["path": "\(path)"])
        }
        let start = ContinuousClock.now
        let outcome = await AnalysisScheduler<StorePipeline>.process(
            job, pipeline, timeLimit: .seconds(clamping: options.analysis.timeLimitSeconds))
        await pipeline.hooksIdle()
        let duration = seconds(ContinuousClock.now - start)
        switch outcome {
        case .recorded(let s) where s.aliasOf != nil:
            say(Outcome(status: "alias", run: runName, path: path, checkpointID: s.checkpointID, step: s.step, error: nil),
                "\(path) holds the same tensors as \(runName) step \(s.step ?? 0): recorded as another path of that checkpoint.")
        case .recorded(let s):
            let rec = try s.checkpointID.map { id in try store.checkpoints(run: runName).first { $0.id == id } } ?? nil
            let sum = rec?.summary
            say(Outcome(status: "inserted", run: runName, path: path, checkpointID: s.checkpointID, step: s.step, error: nil),
                "recorded \(runName) step \(s.step.map(String.init) ?? "?"): \(sum?.layersAnalyzed ?? s.layerCount) layers analysed, "
                + "\(sum?.layersFailed ?? 0) failed, ⟨alpha⟩ \(Text.fixed(sum?.alpha)), ⟨alpha_weighted⟩ \(Text.fixed(sum?.alphaWeighted))"
                + (s.layersReused.map { $0 > 0 ? ", \($0) layers reused" : "" } ?? "")
                + (rec?.training.isEmpty == false ? ", " + rec!.training.sorted { $0.key < $1.key }.map { "\($0.key) \(Text.fixed($0.value))" }.joined(separator: ", ") : "")
                + " (\(Text.fixed(duration, 2)) s)")
        case .alreadyRecorded:
            say(Outcome(status: "duplicate", run: runName, path: path, checkpointID: nil, step: nil, error: nil),
                "\(path) is already recorded (same weight files: size, mtime and inode); nothing to do.")
        case .updated(let s):
            say(Outcome(status: "updated", run: runName, path: path, checkpointID: nil, step: s, error: nil),
                "\(path) is already recorded; files beside its weights completed it (step \(s)).")
        case .failed(let reason):
            if json { say(Outcome(status: "error", run: runName, path: path, checkpointID: nil, step: step, error: reason), "") }
            throw RuntimeError("\(path) could not be analysed: \(reason) (recorded as an error in run \"\(runName)\").")
        case .skipped(let why):
            if json { say(Outcome(status: "skipped", run: runName, path: path, checkpointID: nil, step: nil, error: why), "") }
            throw RuntimeError("\(path) is not a model checkpoint: \(why)")
        case .gone:
            throw RuntimeError("\(path) was deleted before it could be analysed (recorded as vanished in run \"\(runName)\").")
        case .changed:
            throw RuntimeError("\(path) changed while it was being analysed; ingest it again once the writer is done.")
        case .storeError(let why):
            throw RuntimeError(why)
        case .abandoned:
            throw RuntimeError("\(path): analysis interrupted; nothing recorded.")
        case .retry(let why):
            // Permission or I/O errors can heal: not recorded, so a later ingest (or the daemon)
            // analyses it once it is readable (issue 10, point 6).
            if json { say(Outcome(status: "unreadable", run: runName, path: path, checkpointID: nil, step: step, error: why), "") }
            throw RuntimeError("\(path) could not be read: \(why) (not recorded; ingest it again once it is readable).")
        }
    }

    /// The report given with --report (a file, or - for stdin).
    func decodeReport() throws -> CheckpointReport {
        guard let report else { throw RuntimeError("no report given") }
        let data: Data
        do {
            data = report == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                                 : try Data(contentsOf: URL(fileURLWithPath: report))
        } catch {
            throw RuntimeError("cannot read the report file \(report)")
        }
        do { return try JSONDecoder().decode(CheckpointReport.self, from: data) } catch {
            throw RuntimeError("\(report == "-" ? "stdin" : report) is not a `wwmon analyze --format json` report (\(Self.describe(error)))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing \"\(key.stringValue)\" at \(ctx.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong value at \(ctx.codingPath.map(\.stringValue).joined(separator: ".")): \(ctx.debugDescription)"
        case DecodingError.dataCorrupted(let ctx):
            return "invalid JSON: \(ctx.debugDescription)"
        default: return "\(error)"
        }
    }

    func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    func say(_ outcome: Outcome, _ text: String) {
        if json {
            emit(String(decoding: (try? MachineJSON.encoder(pretty: false).encode(outcome)) ?? Data(), as: UTF8.self) + "\n")
        } else if !text.isEmpty {
            emit(text + "\n")
        }
    }
}

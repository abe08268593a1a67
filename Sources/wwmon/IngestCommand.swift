import Analysis
import Checkpoint
import ArgumentParser
import Foundation
import Views
import Store

/// `wwmon ingest PATH --run NAME`: analyse one checkpoint and record it — what the daemon does
/// for each checkpoint it sees, by hand.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Analyse a checkpoint and record it in the history (a no-op if already recorded).",
        discussion: """
        A checkpoint is identified by path, size, mtime, inode and device: ingesting it again does \
        nothing; new content at the same path is recorded as its next version. A checkpoint that \
        cannot be analysed is recorded with the reason (exit 1). --report FILE records a report \
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
    @Flag(help: "Conv2D per-slice mode (WeightWatcher's pool=False).") var noPool = false
    @Option(help: "Layers computed at once (default: number of cores).") var jobs: Int?
    @Flag(name: .long, help: "Print the outcome as one JSON object.") var json = false
    @Flag(name: .long, help: "Do not keep the layers' eigenvalues (the dashboard's ESD plots).") var noEsd = false
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
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
        let identity: CheckpointIdentity
        do { identity = try CheckpointIdentity.of(path: path) } catch { throw RuntimeError("\(error)") }
        let store = try database.writer()
        if try store.isRecorded(identity) {
            return say(Outcome(status: "duplicate", run: runName, path: path, checkpointID: nil, step: nil, error: nil),
                       "\(path) is already recorded (same size, mtime and inode); nothing to do.")
        }
        let start = ContinuousClock.now
        var result: CheckpointReport
        do {
            result = try await produceReport(store: store)
        } catch {
            let reason = "\(error)"
            _ = try store.recordError(run: runName, root: root, path: path, step: step, epoch: epoch,
                                      identity: identity, error: reason,
                                      durationSeconds: seconds(ContinuousClock.now - start))
            if json { say(Outcome(status: "error", run: runName, path: path, checkpointID: nil, step: step, error: reason), "") }
            throw RuntimeError("\(path) could not be analysed: \(reason) (recorded as an error in run \"\(runName)\").")
        }
        let duration = seconds(ContinuousClock.now - start)
        // A checkpoint still being written would give numbers of no real state: refuse to record.
        if report == nil, (try? CheckpointIdentity.of(path: path)) != identity {
            throw RuntimeError("\(path) changed while it was being analysed; ingest it again once the writer is done.")
        }
        result.checkpoint.path = path
        if let step { result.checkpoint.step = step; result.checkpoint.stepSource = "user" }
        if let epoch { result.checkpoint.epoch = epoch }
        let outcome = try store.record(run: runName, root: root, report: result, identity: identity, durationSeconds: duration,
                                       spectra: noEsd ? nil : SpectrumRetention())
        switch outcome {
        case .duplicate:
            say(Outcome(status: "duplicate", run: runName, path: path, checkpointID: nil, step: nil, error: nil),
                "\(path) was recorded by another writer meanwhile; nothing to do.")
        case .inserted(let id):
            let rec = try store.checkpoints(run: runName).first { $0.id == id }
            let s = result.summary
            say(Outcome(status: "inserted", run: runName, path: path, checkpointID: id, step: rec?.step, error: nil),
                "recorded \(runName) step \(rec.map { "\($0.step)" } ?? "?"): \(s.layersAnalyzed) layers analysed, "
                + "\(s.layersFailed) failed, ⟨alpha⟩ \(Text.fixed(s.alpha)), ⟨alpha_weighted⟩ \(Text.fixed(s.alphaWeighted))"
                + (result.checkpoint.layersReused.map { $0 > 0 ? ", \($0) layers reused" : "" } ?? "")
                + " (\(Text.fixed(duration, 2)) s)")
        }
    }

    /// Analyses PATH (reusing the stored rows of tensors whose bytes were analysed before), or
    /// decodes the report given with --report.
    func produceReport(store: HistoryStore) async throws -> CheckpointReport {
        guard let report else {
            let options = AnalysisOptions(pool: !noPool, concurrency: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
            return try await Analyzer(options: options).analyze(CheckpointReader.open(path), reuse: { key in
                (try? store.layerReports(forHashes: [key]))?[key]
            })
        }
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

import ArgumentParser
import Foundation
import Views
import Metrics
import Store

/// `wwmon export RUN`: every layer row (or every checkpoint summary) of a run, streamed, for
/// pandas and spreadsheets.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export every layer row of a run (CSV by default; --json/--ndjson), or --summaries.",
        discussion: """
        CSV columns: checkpoint columns, WeightWatcher's, then one `training.NAME` column per training \
        metric of the run (eval_loss, … repeated on each layer row of a checkpoint); empty = NaN/None, \
        inf/-inf as pandas writes them. `pandas.read_csv(...).pivot(index="step", columns="layer")` \
        gives one row per step. JSON rows carry the metrics as a `training` object.
        """)

    @Argument(help: ArgumentHelp("Run name (see `wwmon runs`).", valueName: "run")) var runName: String
    @Flag(name: .long, help: "One row per checkpoint with its summary instead of one per layer.") var summaries = false
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions

    static let checkpointColumns = ["run", "step", "epoch", "path", "version", "analyzed_at", "layer"]

    /// A layer row with its checkpoint's columns in front, flat (one JSON object per row).
    struct LayerRow: Encodable {
        var c: CheckpointRecord, key: String, r: LayerReport
        enum K: String, CodingKey { case run, step, epoch, path, version, analyzedAt = "analyzed_at", layer, training }
        func encode(to encoder: Encoder) throws {
            var k = encoder.container(keyedBy: K.self)
            try k.encode(c.run, forKey: .run); try k.encode(c.step, forKey: .step)
            try k.encodeNumber(c.epoch, forKey: .epoch); try k.encode(c.path, forKey: .path)
            try k.encode(c.version, forKey: .version); try k.encode(c.analyzedAt, forKey: .analyzedAt)
            try k.encode(key, forKey: .layer)
            try k.encode(CheckpointView.Training(values: c.training), forKey: .training)
            try r.encode(to: encoder)  // same keyed container: WW's columns beside ours
        }
    }

    /// Buffers output so a million rows are not a million writes.
    struct Sink {
        var buffer = ""
        mutating func write(_ s: String) { buffer += s; if buffer.utf8.count > 1 << 16 { flush() } }
        mutating func flush() { emit(buffer); buffer = "" }
    }

    func run() throws {
        let store = try database.reader()
        var sink = Sink()
        if summaries {
            let rows = try store.checkpoints(run: runName).map(CheckpointView.init)
            switch output.format {
            case .json: sink.write(try MachineJSON.array(rows))
            case .ndjson: sink.write(try MachineJSON.lines(rows))
            case .csv, nil:
                var cmd = CheckpointsCommand(); cmd.runName = runName
                cmd.database = database; cmd.output = output; cmd.output.csv = true
                try cmd.run(); return
            }
            sink.flush(); return
        }
        let format = output.format ?? .csv
        let compact = MachineJSON.encoder(pretty: false)
        var first = true
        let training = format == .csv ? try store.trainingMetricNames(run: runName) : []
        if format == .csv {
            sink.write(CSV.row(Self.checkpointColumns + WWColumns.all.map(\.name)
                               + training.map { "training.\($0)" }))
        }
        if format == .json { sink.write("[\n") }
        try store.forEachLayerRow(run: runName) { c, key, r in
            switch format {
            case .csv:
                sink.write(CSV.row([c.run, "\(c.step)", Text.exact(c.epoch), c.path, "\(c.version)", Text.time(c.analyzedAt), key]
                    + Self.wwFields(r) + training.map { Text.exact(c.training[$0]) }))
            case .json, .ndjson:
                let line = String(decoding: try compact.encode(LayerRow(c: c, key: key, r: r)), as: UTF8.self)
                sink.write(format == .json ? (first ? "  " : ",\n  ") + line : line + "\n")
            }
            first = false
        }
        if format == .json { sink.write(first ? "]\n" : "\n]\n") }
        sink.flush()
    }

    /// Every column of `WWColumns` (WW's, the option columns, slice and reason), empty where a
    /// row has no value: the export streams, so its header cannot depend on the rows.
    static func wwFields(_ r: LayerReport) -> [String] {
        WWColumns.all.map { col in
            switch col.get(r) {
            case .int(let v): "\(v)"
            case .real(let v): Text.exact(v)
            case .text(let v): v
            case .null: ""
            }
        }
    }
}

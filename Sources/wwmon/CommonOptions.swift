import ArgumentParser
import Foundation
import Store

/// `--db PATH`, shared by every command that touches the history.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "History database.",
        discussion: "Default: $WWMON_DB, else $XDG_STATE_HOME/wwmon/wwmon.db, else ~/.local/state/wwmon/wwmon.db.",
        valueName: "path"))
    var db: String?

    var path: String { DatabaseLocation.resolve(explicit: db) }

    /// Query commands never write: they open read-only and work while the daemon writes.
    func reader() throws -> HistoryStore { try HistoryStore(path: path, readOnly: true) }
    func writer() throws -> HistoryStore { try HistoryStore(path: path) }
}

enum MachineFormat { case json, ndjson, csv }

/// `--json`, `--ndjson`, `--csv`; none = a table for people.
struct FormatOptions: ParsableArguments {
    @Flag(help: "Print one JSON array.") var json = false
    @Flag(help: "Print one JSON object per line.") var ndjson = false
    @Flag(help: "Print CSV with a header row.") var csv = false

    func validate() throws {
        if [json, ndjson, csv].filter({ $0 }).count > 1 {
            throw ValidationError("Choose one of --json, --ndjson and --csv.")
        }
    }

    var format: MachineFormat? { json ? .json : ndjson ? .ndjson : csv ? .csv : nil }
}

/// Writes to stdout unbuffered-enough for pipes and `--follow`.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

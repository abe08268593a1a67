/// Store failures, each rendered as one sentence at the edge (CLI message, log line).
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingDatabase(path: String)
    case notADatabase(path: String)
    case isADirectory(path: String)
    case notAWwmonDatabase(path: String)
    case newerSchema(path: String, unknown: [String])
    case olderSchema(path: String)
    case locked(path: String)
    case readOnly(path: String)
    case cannotCreate(path: String, reason: String)
    case emptyDatabase(path: String)
    case unknownRun(String, known: [String])
    case unknownLayer(run: String, layer: String, known: [String])
    case unknownStep(run: String, step: Int, known: [Int])
    case noCheckpoints(run: String)
    case checkpointFailed(run: String, step: Int, error: String)
    case unreadableCheckpoint(path: String, reason: String)
    case sqlite(path: String, message: String)
    case invalidMetricName(String)

    public var description: String {
        switch self {
        case .missingDatabase(let p):
            return "No wwmon database at \(p): nothing has been recorded there yet "
                + "(start the daemon or run `wwmon ingest`), or point at another one with --db PATH or WWMON_DB."
        case .isADirectory(let p):
            return "\(p) is a directory; --db (or WWMON_DB, [store] path) must name the database file, e.g. \(p)/wwmon.db."
        case .notADatabase(let p):
            return "\(p) is not an SQLite database."
        case .notAWwmonDatabase(let p):
            return "\(p) is an SQLite database but not a wwmon history (it has no wwmon schema)."
        case .newerSchema(let p, let unknown):
            return "The database at \(p) was written by a newer wwmon (schema migrations "
                + "\(unknown.joined(separator: ", ")) are unknown to this binary); upgrade wwmon to read it."
        case .olderSchema(let p):
            return "The database at \(p) uses an older schema; open it once with a writer "
                + "(the daemon or `wwmon ingest`) to upgrade it."
        case .locked(let p):
            return "The database at \(p) is locked by another writer (is the wwmon daemon or another "
                + "`wwmon ingest` running?); try again when it is done."
        case .readOnly(let p):
            return "The database at \(p) cannot be written (read-only file or directory)."
        case .cannotCreate(let p, let reason):
            return "Cannot create the database at \(p): \(reason)."
        case .emptyDatabase(let p):
            return "The database at \(p) has no runs yet: nothing has been recorded."
        case .unknownRun(let run, let known):
            return known.isEmpty
                ? "Unknown run \"\(run)\": the database has no runs yet."
                : "Unknown run \"\(run)\"; known runs: \(known.joined(separator: ", "))."
        case .unknownLayer(let run, let layer, let known):
            let shown = known.prefix(20).joined(separator: ", ") + (known.count > 20 ? ", …" : "")
            return "Run \"\(run)\" has no layer \"\(layer)\"; its layers: \(shown)."
        case .unknownStep(let run, let step, let known):
            let shown = known.suffix(20).map(String.init).joined(separator: ", ")
            return "Run \"\(run)\" has no checkpoint at step \(step); recorded steps: \(known.count > 20 ? "…, " : "")\(shown)."
        case .noCheckpoints(let run):
            return "Run \"\(run)\" has no analyzed checkpoints yet."
        case .checkpointFailed(let run, let step, let error):
            return "The checkpoint of run \"\(run)\" at step \(step) could not be analysed: \(error)"
        case .unreadableCheckpoint(let p, let reason):
            return "Cannot read \(p): \(reason)."
        case .sqlite(let p, let message):
            return "Database error on \(p): \(message)."
        case .invalidMetricName(let name):
            return "\"\(name)\" is not a valid training metric name (letters, digits and _ . / - only)."
        }
    }
}

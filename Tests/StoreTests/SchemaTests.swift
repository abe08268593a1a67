import Foundation
import GRDB
import Testing
@testable import Store

@Suite("Schema, opening and error sentences")
struct SchemaTests {
    @Test("A writer creates the file (and its directory) in WAL mode with every table; reopening keeps the data")
    func writerCreatesAndReopens() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("nested/state/wwmon.db").path
        let file = try Fixtures.file(dir, "a.safetensors", bytes: 10)
        do {
            let store = try HistoryStore(path: path)
            _ = try store.record(run: "r", root: dir.path, report: Fixtures.report("c_mixed_f32__st", path: file, step: 1),
                                 identity: .of(path: file), durationSeconds: 0.1)
            let (mode, tables, fk) = try store.read { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                 try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
                 try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
            }
            #expect(mode == "wal")
            #expect(fk == 1)
            for t in ["alerts", "checkpoints", "hook_runs", "layer_metrics", "layers", "runs", "summaries"] {
                #expect(tables.contains(t), "missing table \(t)")
            }
        }
        let again = try HistoryStore(path: path)
        #expect(try again.runs().map(\.run) == ["r"])
        let reader = try HistoryStore(path: path, readOnly: true)
        #expect(try reader.checkpoints(run: "r").count == 1)
    }

    @Test("Indexes serve the series queries (no full scan of layer_metrics)")
    func seriesQueriesUseIndexes() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        let plan = try store.read { db in
            try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT c.id, lm.alpha, lm.status FROM layer_metrics lm
                JOIN checkpoints c ON c.id = lm.checkpoint_id WHERE lm.layer_id = 1
                ORDER BY c.step DESC, c.version DESC LIMIT 10
                """).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("COVERING INDEX layer_metrics_series") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN lm") }, "\(plan)")
    }

    @Test("A v1 database (written before the covering index) migrates to v2 keeping its rows; readers read both")
    func migratesFromV1() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.db").path
        let file = try Fixtures.file(dir, "a.safetensors", bytes: 10)
        do {  // What a v1-only binary wrote.
            let old = try DatabasePool(path: path)
            try Schema.migrator.migrate(old, upTo: "v1-history")
        }
        do {  // Readers (the CLI) accept the older schema: a daemon may not be upgraded yet.
            let reader = try HistoryStore(path: path, readOnly: true)
            #expect(try reader.runs().isEmpty)
        }
        let store = try HistoryStore(path: path)
        _ = try store.record(run: "r", root: nil, report: Fixtures.report("c_mixed_f32__st", path: file, step: 1),
                             identity: .of(path: file), durationSeconds: 0)
        let (applied, indexSQL) = try store.read { db in
            (try Schema.migrator.appliedIdentifiers(db),
             try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'layer_metrics_series'"))
        }
        // Every known migration applied on upgrade (others register theirs beside these).
        #expect(applied.isSuperset(of: ["v1-history", "v2-covering-series-index", "v3-series", "v3-ww-options", "v4-hook-outbox"])
                && applied == Set(Schema.migrator.migrations))
        #expect(indexSQL?.contains("alpha_weighted") == true)
        #expect(try store.layerSeries(run: "r", layer: "layers.0", metric: .alpha).count == 1)
    }

    @Test("A database written by a newer wwmon is refused by readers and writers with a sentence")
    func newerSchemaRefused() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("w.db").path
        try HistoryStore(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
        }
        for readOnly in [true, false] {
            #expect(throws: StoreError.newerSchema(path: path, unknown: ["v9-from-the-future"])) {
                _ = try HistoryStore(path: path, readOnly: readOnly)
            }
        }
        let text = StoreError.newerSchema(path: path, unknown: ["v9-from-the-future"]).description
        #expect(text.contains("newer wwmon"))
    }

    @Test("Readers get sentences for a missing file, a non-SQLite file, an empty and a foreign SQLite file")
    func readerErrors() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("none.db").path
        #expect(throws: StoreError.missingDatabase(path: missing)) { _ = try HistoryStore(path: missing, readOnly: true) }
        #expect(!FileManager.default.fileExists(atPath: missing), "a reader must not create the file")

        let junk = try Fixtures.file(dir, "junk.db", bytes: 4096)
        #expect(throws: StoreError.notADatabase(path: junk)) { _ = try HistoryStore(path: junk, readOnly: true) }

        let empty = dir.appendingPathComponent("empty.db").path
        _ = try DatabaseQueue(path: empty)  // SQLite creates a zero-length file
        #expect(throws: StoreError.emptyDatabase(path: empty)) { _ = try HistoryStore(path: empty, readOnly: true) }

        let foreign = dir.appendingPathComponent("foreign.db").path
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        #expect(throws: StoreError.notAWwmonDatabase(path: foreign)) { _ = try HistoryStore(path: foreign, readOnly: true) }
    }

    @Test("A writer that cannot create the file says so (a path below a regular file)")
    func writerCannotCreate() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.file(dir, "plain", bytes: 1)
        let path = file + "/state/wwmon.db"
        do {
            _ = try HistoryStore(path: path)
            Issue.record("opening below a regular file must fail")
        } catch let e as StoreError {
            guard case .cannotCreate(let p, _) = e else { Issue.record("\(e)"); return }
            #expect(p == path && e.description.hasPrefix("Cannot create the database at \(path)"))
        }
    }

    @Test("Queries on a store with no runs say the database is empty; unknown runs list the known ones")
    func emptyAndUnknownRun() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("w.db").path
        let store = try HistoryStore(path: path)
        #expect(throws: StoreError.emptyDatabase(path: path)) { _ = try store.checkpoints(run: "x") }
        for run in ["beta", "alpha"] {
            let f = try Fixtures.file(dir, "\(run).bin", bytes: 5)
            _ = try store.record(run: run, root: nil, report: Fixtures.report("a_gaussian_1000x500__st", path: f, step: 1),
                                 identity: .of(path: f), durationSeconds: 0)
        }
        #expect(throws: StoreError.unknownRun("gamma", known: ["alpha", "beta"])) { _ = try store.checkpoints(run: "gamma") }
        #expect(StoreError.unknownRun("gamma", known: ["alpha", "beta"]).description
                == "Unknown run \"gamma\"; known runs: alpha, beta.")
    }

    @Test("A second writer waiting on a held write lock gets the 'locked' sentence, not a raw SQLite code")
    func lockedWriter() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("w.db").path
        _ = try HistoryStore(path: path)
        let holder = try DatabaseQueue(path: path)
        let f = try Fixtures.file(dir, "a.bin", bytes: 3)
        let second = try HistoryStore(path: path, busyTimeout: 0.2)
        try holder.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            #expect(throws: StoreError.locked(path: path)) {
                _ = try second.record(run: "r", root: nil, report: Fixtures.report("a_gaussian_1000x500__st", path: f, step: 1),
                                      identity: .of(path: f), durationSeconds: 0)
            }
            try db.execute(sql: "ROLLBACK")
        }
    }

    @Test("Default location: --db beats WWMON_DB beats XDG_STATE_HOME beats ~/.local/state")
    func locationPrecedence() {
        let env = ["WWMON_DB": "/e/w.db", "XDG_STATE_HOME": "/x", "HOME": "/h"]
        #expect(DatabaseLocation.resolve(explicit: "/a.db", environment: env) == "/a.db")
        #expect(DatabaseLocation.resolve(explicit: nil, environment: env) == "/e/w.db")
        #expect(DatabaseLocation.resolve(explicit: nil, environment: ["XDG_STATE_HOME": "/x", "HOME": "/h"]) == "/x/wwmon/wwmon.db")
        #expect(DatabaseLocation.resolve(explicit: nil, environment: ["XDG_STATE_HOME": "rel", "HOME": "/h"])
                == "/h/.local/state/wwmon/wwmon.db")
        #expect(DatabaseLocation.resolve(explicit: nil, environment: ["HOME": "/h"]) == "/h/.local/state/wwmon/wwmon.db")
    }
}

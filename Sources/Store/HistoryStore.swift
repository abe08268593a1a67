import Foundation
import GRDB

/// The history database: one writer (the daemon or `wwmon ingest`), any number of read-only
/// readers in other processes (WAL). Thread-safe: GRDB's pool serialises writes and runs
/// reads concurrently, so the class holds only immutable state.
public final class HistoryStore: Sendable {
    public let path: String
    public let readOnly: Bool
    let pool: DatabasePool

    /// Opens (a writer creates and migrates) the database at `path`.
    /// Throws a `StoreError` that reads as a sentence for every way this can fail.
    /// `busyTimeout`: how long to wait for another process's write lock before `.locked`.
    public init(path: String, readOnly: Bool = false, busyTimeout: Double = 5) throws {
        self.path = path
        self.readOnly = readOnly
        let fm = FileManager.default
        // SQLite reports a directory given as the database only as "disk I/O error".
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw StoreError.isADirectory(path: path)
        }
        if readOnly {
            guard fm.fileExists(atPath: path) else { throw StoreError.missingDatabase(path: path) }
        } else {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty, !fm.fileExists(atPath: dir) {
                do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                    throw StoreError.cannotCreate(path: path, reason: "its directory \(dir) cannot be created")
                }
            }
        }
        var config = Configuration()
        config.readonly = readOnly
        config.foreignKeysEnabled = true
        // Wait for the other process's transaction rather than failing at once; a checkpoint's
        // rows commit in milliseconds, so 5 s only runs out when something is really stuck.
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            if !db.configuration.readonly {
                // WAL + NORMAL: a commit survives a killed process (not a power cut), which is
                // the all-or-nothing guarantee the daemon needs, at a fraction of FULL's fsyncs.
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // Takes effect only while the file has no tables (a new store): retention's
                // deletes then return pages to the file system in small steps
                // (HistoryStore+Retention.swift); an older file needs `wwmon prune --vacuum` once.
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            if readOnly {
                try pool.read { db in try Self.checkSchema(db, path: path, migrator: Schema.migrator) }
            } else {
                let migrator = Schema.migrator
                try pool.read { db in
                    if try migrator.hasBeenSuperseded(db) {
                        throw StoreError.newerSchema(path: path, unknown: try Self.unknownMigrations(db, migrator))
                    }
                }
                try migrator.migrate(pool)
            }
        } catch {
            throw Self.translate(error, path: path, opening: readOnly ? .reader : .writer)
        }
    }

    private static func unknownMigrations(_ db: Database, _ migrator: DatabaseMigrator) throws -> [String] {
        let known = Set(migrator.migrations)
        return try migrator.appliedIdentifiers(db).subtracting(known).sorted()
    }

    /// A reader cannot migrate: it needs exactly the schema this binary knows (or newer-unknown
    /// → a clear error).
    private static func checkSchema(_ db: Database, path: String, migrator: DatabaseMigrator) throws {
        guard try db.tableExists("grdb_migrations") else {
            let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
            throw tables == 0 ? StoreError.emptyDatabase(path: path) : StoreError.notAWwmonDatabase(path: path)
        }
        if try migrator.hasBeenSuperseded(db) {
            throw StoreError.newerSchema(path: path, unknown: try unknownMigrations(db, migrator))
        }
        if try !migrator.appliedIdentifiers(db).contains(Schema.readerMinimum) { throw StoreError.olderSchema(path: path) }
    }

    enum Opening { case reader, writer, open }

    /// Maps SQLite failures to sentences.
    static func translate(_ error: any Error, path: String, opening: Opening = .open) -> any Error {
        guard let e = error as? DatabaseError else { return error }
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.locked(path: path)
        case .SQLITE_NOTADB: return StoreError.notADatabase(path: path)
        case .SQLITE_READONLY: return StoreError.readOnly(path: path)
        case .SQLITE_CANTOPEN:
            if opening != .writer && !FileManager.default.fileExists(atPath: path) {
                return StoreError.missingDatabase(path: path)
            }
            return StoreError.cannotCreate(path: path, reason: "SQLite cannot open it (permissions or a missing directory?)")
        default: return StoreError.sqlite(path: path, message: e.message ?? "\(e.resultCode)")
        }
    }

    /// Runs `body` in a read transaction, errors translated to sentences.
    func reading<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw Self.translate(error, path: path) }
    }

    /// Runs `body` in one IMMEDIATE transaction (taking the write lock up front avoids a
    /// deadlock-prone read-to-write upgrade when two processes write).
    func writing<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// For collaborators (alert engine, daemon) that need their own queries on this database.
    public func read<T>(_ body: (Database) throws -> T) throws -> T { try reading(body) }
    /// One write transaction; rolled back if `body` throws.
    public func write<T>(_ body: (Database) throws -> T) throws -> T { try writing(body) }
}

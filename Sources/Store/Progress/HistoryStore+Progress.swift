import Foundation
import Glibc
import GRDB

/// One checkpoint the daemon is analysing.
public struct AnalysisProgress: Sendable, Equatable {
    public var run: String
    public var path: String
    public var layersDone: Int
    public var layersTotal: Int
    public var startedAt: Date
    public var updatedAt: Date
    /// The process analysing it (the daemon, or `wwmon ingest`).
    public var pid: Int32 = getpid()
    public init(run: String, path: String, layersDone: Int, layersTotal: Int, startedAt: Date, updatedAt: Date) {
        self.run = run; self.path = path; self.layersDone = layersDone; self.layersTotal = layersTotal
        self.startedAt = startedAt; self.updatedAt = updatedAt
    }
}

extension HistoryStore {
    /// Writes (or moves on) the progress row of `p.path`.
    public func setProgress(_ p: AnalysisProgress) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO analysis_progress (path, run, layers_done, layers_total, started_at, updated_at, pid)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (path) DO UPDATE SET run = excluded.run, layers_done = excluded.layers_done,
                    layers_total = excluded.layers_total, updated_at = excluded.updated_at, pid = excluded.pid
                """, arguments: [p.path, p.run, p.layersDone, p.layersTotal,
                                 p.startedAt.timeIntervalSince1970, p.updatedAt.timeIntervalSince1970, p.pid])
        }
    }

    /// Removes the row of `path` (analysis finished, failed or abandoned).
    public func clearProgress(path: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM analysis_progress WHERE path = ? AND pid = ?", arguments: [path, getpid()])
        }
    }

    /// Removes rows whose process is gone (a killed daemon or ingest); returns how many.
    @discardableResult
    public func clearAbandonedProgress() throws -> Int {
        try write { db in
            let pids = try Int32.fetchAll(db, sql: "SELECT DISTINCT pid FROM analysis_progress")
            var n = 0
            for pid in pids where !Self.alive(pid) {
                try db.execute(sql: "DELETE FROM analysis_progress WHERE pid = ?", arguments: [pid])
                n += db.changesCount
            }
            return n
        }
    }

    /// Signal 0 checks for the process without touching it; EPERM means it exists (another user).
    static func alive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    /// The analyses in progress, by run then path (none on a store older than the table);
    /// rows of processes that are gone are left out (a reader cannot delete them).
    public func analysesInProgress() throws -> [AnalysisProgress] {
        try reading { db in
            guard try db.tableExists("analysis_progress") else { return [] }
            return try Row.fetchAll(db, sql: """
                SELECT run, path, layers_done, layers_total, started_at, updated_at, pid
                FROM analysis_progress ORDER BY run, path
                """).map { r -> AnalysisProgress in
                var p = AnalysisProgress(run: r["run"], path: r["path"], layersDone: r["layers_done"],
                                         layersTotal: r["layers_total"],
                                         startedAt: Date(timeIntervalSince1970: r["started_at"]),
                                         updatedAt: Date(timeIntervalSince1970: r["updated_at"]))
                p.pid = r["pid"]
                return p
            }.filter { Self.alive($0.pid) }
        }
    }
}

import GRDB

/// The daemon's analyses in progress (issue 16, point 3), for `wwmon runs` in another process:
/// one row per checkpoint being analysed, written at most once a second, removed when done.
enum ProgressSchema {
    static func register(_ m: inout DatabaseMigrator) {
        m.registerMigration("progress-v1-analysis-progress") { db in
            try db.execute(sql: """
                CREATE TABLE analysis_progress (
                    path TEXT PRIMARY KEY,
                    run TEXT NOT NULL,
                    layers_done INTEGER NOT NULL,
                    layers_total INTEGER NOT NULL,
                    started_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    -- The writing process: a row whose process is gone was left by a crash.
                    pid INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
    }
}

import GRDB

/// Tables of `wwmon tag` / `wwmon rank` (issue 14), registered after the history's own
/// migrations under a name of their own so other migrations can be added beside them.
enum RankSchema {
    static func register(_ m: inout DatabaseMigrator) {
        m.registerMigration("rank-v1-run-tags") { db in
            // One value per key and run. `source` says who set it: `user` (`wwmon tag`) wins over
            // `config` (`[[watch]] tags`), which the daemon re-applies at every checkpoint.
            try db.execute(sql: """
                CREATE TABLE run_tags (
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    source TEXT NOT NULL CHECK (source IN ('user', 'config')),
                    PRIMARY KEY (run_id, key)
                ) WITHOUT ROWID;
                """)
        }
    }
}

import GRDB

/// Versioned schema. Add migrations at the end, never edit a shipped one: readers compare the
/// applied identifiers with these to tell "newer than this binary" from "older".
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-history") { db in
            // Times are REAL unix seconds (sortable, compact); the CLI prints RFC 3339.
            try db.execute(sql: """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    root TEXT,
                    created_at REAL NOT NULL
                );
                CREATE TABLE checkpoints (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    path TEXT NOT NULL,
                    -- 1 for the first content seen at this path in this run, +1 per rewrite.
                    version INTEGER NOT NULL,
                    step INTEGER NOT NULL,
                    epoch REAL,
                    step_source TEXT NOT NULL,
                    format TEXT,
                    file_size INTEGER NOT NULL,
                    file_mtime_ns INTEGER NOT NULL,
                    file_inode INTEGER NOT NULL,   -- UInt64 bit pattern
                    file_device INTEGER NOT NULL,  -- UInt64 bit pattern
                    analyzed_at REAL NOT NULL,
                    duration REAL NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
                    error TEXT,
                    aliases TEXT,                  -- JSON object alias -> analysed name
                    UNIQUE (run_id, path, version)
                );
                -- Idempotency: one row per identity, whatever the run.
                CREATE UNIQUE INDEX checkpoints_identity
                    ON checkpoints (path, file_size, file_mtime_ns, file_inode, file_device);
                CREATE INDEX checkpoints_run_step ON checkpoints (run_id, step, version);

                -- Layer identity across checkpoints: the normalised name (slice suffix for conv
                -- slices), one id per run so series stay continuous.
                CREATE TABLE layers (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    UNIQUE (run_id, name)
                );
                CREATE TABLE layer_metrics (
                    checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE,
                    layer_id INTEGER NOT NULL REFERENCES layers(id) ON DELETE CASCADE,
                    ww_layer_id INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    longname TEXT NOT NULL,
                    layer_type TEXT NOT NULL,
                    "N" INTEGER NOT NULL, "M" INTEGER NOT NULL, rf INTEGER NOT NULL, "Q" REAL,
                    num_evals INTEGER NOT NULL, sv_max REAL, sv_min REAL,
                    rank_loss INTEGER NOT NULL, weak_rank_loss INTEGER NOT NULL,
                    lambda_max REAL, alpha REAL, xmin REAL, xmax REAL, "D" REAL, sigma REAL,
                    num_pl_spikes INTEGER NOT NULL,
                    status TEXT NOT NULL, warning TEXT NOT NULL,
                    norm REAL, log_norm REAL, spectral_norm REAL, log_spectral_norm REAL,
                    alpha_weighted REAL, log_alpha_norm REAL, stable_rank REAL,
                    matrix_rank INTEGER NOT NULL, entropy REAL,
                    slice_id INTEGER, reason TEXT,
                    -- Content hash of the tensor's bytes, for reusing metrics of unchanged layers.
                    tensor_hash TEXT,
                    PRIMARY KEY (checkpoint_id, layer_id)
                );
                CREATE INDEX layer_metrics_series ON layer_metrics (layer_id, checkpoint_id);
                CREATE INDEX layer_metrics_hash ON layer_metrics (tensor_hash, checkpoint_id) WHERE tensor_hash IS NOT NULL;

                CREATE TABLE summaries (
                    checkpoint_id INTEGER PRIMARY KEY REFERENCES checkpoints(id) ON DELETE CASCADE,
                    log_norm REAL, alpha REAL, alpha_weighted REAL, log_alpha_norm REAL,
                    log_spectral_norm REAL, stable_rank REAL,
                    layers_analyzed INTEGER NOT NULL, layers_skipped INTEGER NOT NULL,
                    layers_failed INTEGER NOT NULL
                );

                -- Filled by the alert engine (issue 6). fingerprint = rule|run|layer.
                CREATE TABLE alerts (
                    id INTEGER PRIMARY KEY,
                    fingerprint TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    layer TEXT,
                    state TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
                    step INTEGER,
                    value REAL,
                    threshold REAL,
                    message TEXT NOT NULL,
                    fired_at REAL NOT NULL,
                    resolved_at REAL,
                    last_sent_at REAL
                );
                -- At most one firing alert per fingerprint.
                CREATE UNIQUE INDEX alerts_firing ON alerts (fingerprint) WHERE state = 'firing';
                CREATE INDEX alerts_run_state ON alerts (run_id, state);

                CREATE TABLE hook_runs (
                    id INTEGER PRIMARY KEY,
                    hook TEXT NOT NULL,
                    alert_id INTEGER REFERENCES alerts(id) ON DELETE SET NULL,
                    started_at REAL NOT NULL,
                    duration REAL,
                    exit_status INTEGER,
                    stderr_tail TEXT
                );
                CREATE INDEX hook_runs_alert ON hook_runs (alert_id);
                """)
        }
        m.registerMigration("v2-covering-series-index") { db in
            // `history --layer` for alpha / alpha_weighted (the default views, and what the
            // alert rules read) from the index alone: one layer's rows are spread one per
            // checkpoint across the table, so reading them there costs a page each.
            try db.execute(sql: """
                DROP INDEX layer_metrics_series;
                CREATE INDEX layer_metrics_series
                    ON layer_metrics (layer_id, checkpoint_id, alpha, alpha_weighted, status);
                """)
        }
        m.registerMigration("v3-series") { db in
            // Issue 9. The checkpoints table is rebuilt (SQLite cannot alter a CHECK) so a save
            // seen but deleted before it could be read is a row too: status 'vanished'.
            // GRDB runs each migration with foreign keys off and checks them before commit.
            try db.execute(sql: """
                CREATE TABLE checkpoints_v3 (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    path TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    step INTEGER NOT NULL,
                    epoch REAL,
                    step_source TEXT NOT NULL,
                    format TEXT,
                    file_size INTEGER NOT NULL,
                    file_mtime_ns INTEGER NOT NULL,
                    file_inode INTEGER NOT NULL,
                    file_device INTEGER NOT NULL,
                    analyzed_at REAL NOT NULL,
                    duration REAL NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('ok', 'error', 'vanished')),
                    error TEXT,
                    aliases TEXT,
                    UNIQUE (run_id, path, version)
                );
                INSERT INTO checkpoints_v3 SELECT id, run_id, path, version, step, epoch,
                    CASE step_source WHEN 'content' THEN 'framework' ELSE step_source END,
                    format, file_size, file_mtime_ns, file_inode, file_device, analyzed_at,
                    duration, status, error, aliases FROM checkpoints;
                DROP TABLE checkpoints;
                ALTER TABLE checkpoints_v3 RENAME TO checkpoints;
                CREATE UNIQUE INDEX checkpoints_identity
                    ON checkpoints (path, file_size, file_mtime_ns, file_inode, file_device);
                CREATE INDEX checkpoints_run_step ON checkpoints (run_id, step, version);

                -- Files whose tensors equal an already recorded checkpoint of the run (Lightning's
                -- last.ckpt and its symlink, HF's final save_model()): the same point, not a new one.
                CREATE TABLE checkpoint_aliases (
                    id INTEGER PRIMARY KEY,
                    checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE,
                    path TEXT NOT NULL,
                    file_size INTEGER NOT NULL,
                    file_mtime_ns INTEGER NOT NULL,
                    file_inode INTEGER NOT NULL,
                    file_device INTEGER NOT NULL,
                    seen_at REAL NOT NULL
                );
                CREATE UNIQUE INDEX checkpoint_aliases_identity
                    ON checkpoint_aliases (path, file_size, file_mtime_ns, file_inode, file_device);
                CREATE INDEX checkpoint_aliases_checkpoint ON checkpoint_aliases (checkpoint_id);

                -- Training metrics per checkpoint: read from the checkpoint (eval_loss from HF's
                -- log_history, ...) or attached by `wwmon note`; a note wins over the file.
                CREATE TABLE training_metrics (
                    checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    value REAL,                    -- NULL for NaN
                    source TEXT NOT NULL CHECK (source IN ('checkpoint', 'note')),
                    recorded_at REAL NOT NULL,
                    PRIMARY KEY (checkpoint_id, name)
                );
                """)
        }
        m.registerMigration("v3-ww-options") { db in
            // Issue 13: the option columns of `WWColumns` (num_fingers, raw_alpha) and the
            // options each checkpoint was analysed with (JSON object, NULL for WW's defaults).
            try LayerColumns.addMissing(db)
            try db.execute(sql: "ALTER TABLE checkpoints ADD COLUMN options TEXT")
        }
        m.registerMigration("v4-hook-outbox") { db in
            // One row per (alert transition, hook), written in the transaction that records the
            // transition and marked sent only after the hook ran: a kill -9 in between leaves
            // the row unsent and the next start delivers it (at least once; `id` is the event
            // id hooks dedupe on). Sources/Store/HistoryStore+Alerts.swift.
            try db.execute(sql: """
                CREATE TABLE hook_outbox (
                    id INTEGER PRIMARY KEY,
                    hook TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    event TEXT NOT NULL,          -- the AlertEvent as JSON
                    created_at REAL NOT NULL,
                    sent_at REAL
                );
                CREATE INDEX hook_outbox_unsent ON hook_outbox (id) WHERE sent_at IS NULL;
                """)
        }
        RankSchema.register(&m)
        SpectraSchema.register(&m)
        ProgressSchema.register(&m)
        m.registerMigration("ww-options-v2-randomize-columns") { db in
            // Issue 13: randomize's columns (rand_distance, num_traps, …) joined `WWColumns`
            // after v3-ww-options shipped; a store migrated then gets them now (a fresh one
            // already has them, and this adds nothing).
            try LayerColumns.addMissing(db)
        }
        return m
    }

    /// The oldest schema this binary's queries can read: readers accept any applied prefix
    /// from here on (a daemon not yet upgraded), and refuse unknown (newer) migrations.
    static let readerMinimum = "v1-history"
}

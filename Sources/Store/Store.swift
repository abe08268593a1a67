// Store: the SQLite history (runs, checkpoints, per-layer metrics, summaries, alerts), via GRDB.

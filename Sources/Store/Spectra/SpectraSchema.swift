import GRDB

/// The `layer_spectra` table (migration `v3-layer-spectra`): one compressed ESD per layer row.
enum SpectraSchema {
    static let migration = "v3-layer-spectra"

    static func register(_ m: inout DatabaseMigrator) {
        m.registerMigration(migration) { db in
            try db.execute(sql: """
                CREATE TABLE layer_spectra (
                    checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE,
                    layer_id INTEGER NOT NULL REFERENCES layers(id) ON DELETE CASCADE,
                    count INTEGER NOT NULL,        -- eigenvalues, ascending
                    codec TEXT NOT NULL,           -- SpectrumCodec.name
                    data BLOB NOT NULL,
                    PRIMARY KEY (layer_id, checkpoint_id)
                ) WITHOUT ROWID;
                CREATE INDEX layer_spectra_checkpoint ON layer_spectra (checkpoint_id);
                """)
        }
    }
}

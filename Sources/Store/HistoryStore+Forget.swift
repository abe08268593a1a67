import GRDB

extension HistoryStore {
    /// Removes the error row recorded for exactly this file identity, so the checkpoint can be
    /// analysed again (`wwmon ingest --force`): an error that has healed (permissions fixed,
    /// a reader bug fixed) must not stay the checkpoint's last word. Analysed rows are kept.
    /// Returns whether a row was removed.
    @discardableResult
    public func forgetError(_ i: CheckpointIdentity) throws -> Bool {
        try write { db in
            try db.execute(sql: """
                DELETE FROM checkpoints WHERE status = 'error' AND path = ? AND file_size = ?
                    AND file_mtime_ns = ? AND file_inode = ? AND file_device = ?
                """, arguments: [i.path, i.size, i.mtimeNs, Int64(bitPattern: i.inode), Int64(bitPattern: i.device)])
            return db.changesCount > 0
        }
    }
}

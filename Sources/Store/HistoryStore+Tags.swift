import GRDB

/// Who set a run's tag: `wwmon tag` (user) or a `[[watch]] tags` table (config).
public enum TagSource: String, Sendable {
    case user, config
}

extension HistoryStore {
    /// Sets (or, for an empty value, removes) tags of an existing run. A config tag never
    /// replaces a tag the user set with `wwmon tag`; a user tag replaces either.
    public func setTags(run: String, _ tags: [String: String], source: TagSource) throws {
        try writing { db in
            let id = try runID(db, run)
            try Self.setTags(db, runID: id, tags, source: source)
        }
    }

    static func setTags(_ db: Database, runID: Int64, _ tags: [String: String], source: TagSource) throws {
        for (key, value) in tags.sorted(by: { $0.key < $1.key }) {
            let guardUser = source == .config ? " WHERE run_tags.source = 'config'" : ""
            if value.isEmpty {
                try db.execute(sql: "DELETE FROM run_tags WHERE run_id = ? AND key = ?"
                               + (source == .config ? " AND source = 'config'" : ""), arguments: [runID, key])
            } else {
                try db.execute(sql: """
                    INSERT INTO run_tags (run_id, key, value, source) VALUES (?, ?, ?, ?)
                    ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, source = excluded.source
                    """ + guardUser, arguments: [runID, key, value, source.rawValue])
            }
        }
    }

    /// Tags of every run that has any: run -> key -> value. Empty on a database written before
    /// tags existed (a reader cannot add the table; the next writer will).
    public func tags() throws -> [String: [String: String]] {
        try reading { db in try Self.tags(db) }
    }

    static func tags(_ db: Database) throws -> [String: [String: String]] {
        guard try db.tableExists("run_tags") else { return [:] }
        var out: [String: [String: String]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT r.name, t.key, t.value FROM run_tags t JOIN runs r ON r.id = t.run_id ORDER BY r.name, t.key
            """) {
            out[row[0], default: [:]][row[1]] = row[2] as String
        }
        return out
    }
}

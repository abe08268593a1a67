import Checkpoint
import GRDB
import Metrics

/// The `layer_metrics` columns that hold a `LayerReport`: the column table `WWColumns`
/// (Sources/Metrics/WWColumns.swift), so the insert, the decode and the schema cannot drift
/// apart. Non-finite numbers: NaN is stored as NULL (SQLite turns NaN into NULL anyway) and
/// read back as NaN; ±inf are stored as REAL infinities.
enum LayerColumns {
    static let names = WWColumns.all.map(\.sqlName)

    /// `"N", "M", ...` quoted, for SELECT and INSERT lists (N/M/D/Q are upper-case names).
    static let sqlList = names.map { "lm.\"\($0)\"" }.joined(separator: ", ")
    /// The select list for this database: a reader may open a store its daemon has not yet
    /// migrated (Schema.readerMinimum), whose `layer_metrics` lacks the newer option columns;
    /// those then read as unknown (GRDB returns nil for a column the row does not have).
    static func selectList(_ db: Database) throws -> String {
        let have = Set(try db.columns(in: "layer_metrics").map { $0.name.lowercased() })
        if names.allSatisfy({ have.contains($0.lowercased()) }) { return sqlList }
        return names.filter { have.contains($0.lowercased()) }.map { "lm.\"\($0)\"" }.joined(separator: ", ")
    }
    static let insertList = names.map { "\"\($0)\"" }.joined(separator: ", ")

    static func real(_ v: Double) -> Double? { v.isNaN ? nil : v }

    static func arguments(_ r: LayerReport) -> [(any DatabaseValueConvertible)?] {
        WWColumns.all.map { col -> (any DatabaseValueConvertible)? in
            switch col.get(r) {
            case .int(let v): v
            case .real(let v): real(v)
            case .text(let v): v
            case .null: nil
            }
        }
    }

    static func decode(_ row: Row) -> LayerReport {
        var r = LayerReport.blank
        for col in WWColumns.all {
            let v: WWValue
            switch col.kind {
            case .int: v = (row[col.sqlName] as Int?).map(WWValue.int) ?? .null
            case .real: v = (row[col.sqlName] as Double?).map(WWValue.real) ?? .null
            case .text: v = (row[col.sqlName] as String?).map(WWValue.text) ?? .null
            }
            col.set(&r, v)
        }
        return r
    }

    /// SQL type of a column as `layer_metrics` declares it.
    static func sqlType(_ c: WWColumn) -> String {
        switch c.kind { case .int: "INTEGER"; case .real: "REAL"; case .text: "TEXT" }
    }

    /// Adds the table's columns that `layer_metrics` lacks (nullable: rows recorded before
    /// a column existed read it as unknown). A migration that ships a new `WWColumns` entry
    /// calls this; the schema test checks that every column of the table exists.
    static func addMissing(_ db: Database) throws {
        let have = Set(try db.columns(in: "layer_metrics").map { $0.name.lowercased() })
        for c in WWColumns.all where !have.contains(c.sqlName.lowercased()) {
            try db.execute(sql: "ALTER TABLE layer_metrics ADD COLUMN \"\(c.sqlName)\" \(sqlType(c))")
        }
    }
}

/// Layer identity across checkpoints: the normalised name (wrapper prefixes that come and go
/// between runs of the same model — DDP's `module.`, torch.compile's `_orig_mod.` — removed),
/// plus `#sliceK` for conv slices analysed one by one.
public enum LayerKey {
    /// `tag` is `WWOptions.tag` of the analysis: rows computed under non-default options
    /// (fix_fingers, the conv operator) form their own series, `name@tag`.
    public static func of(_ r: LayerReport, tag: String = "") -> String {
        let base = normalise(r.longname.isEmpty ? r.name : r.longname)
        let key = r.sliceID.map { "\(base)#slice\($0)" } ?? base
        return tag.isEmpty ? key : "\(key)@\(tag)"
    }

    /// The readers' normalisation (`TensorNames`), also for names that come from elsewhere
    /// (a report file, a `--layer` argument), and without a `.weight` suffix.
    public static func normalise(_ name: String) -> String {
        let n = TensorNames.normalise(name)
        return n.hasSuffix(".weight") ? String(n.dropLast(7)) : n
    }
}

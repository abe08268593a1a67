import Foundation
import GRDB

/// Retention (issue 16, point 5): the plan is computed in one read, then applied in small write
/// transactions so the daemon's `record()` waits at most one batch for the write lock. Deleting
/// a checkpoint cascades to its layer rows, summary, training metrics and aliases (the foreign
/// keys in Schema.swift); alerts carry run and step, not a checkpoint, so they stay. Dropping a
/// run removes its layers and alerts with it.
extension HistoryStore {
    static let secondsPerDay = 86_400.0

    /// What `policy` removes at `now` (unix seconds). Reads only.
    public func retentionPlan(_ policy: RetentionPolicy, now: Double) throws -> RetentionPlan {
        try reading { db in try Self.plan(db, policy, now: now) }
    }

    static func plan(_ db: Database, _ policy: RetentionPolicy, now: Double) throws -> RetentionPlan {
        var plan = RetentionPlan()
        var dropped = Set<Int64>()
        if let days = policy.dropRunsAfterDays {
            let cutoff = now - days * secondsPerDay
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.id, r.name, count(c.id) AS n, max(c.analyzed_at) AS last
                FROM runs r LEFT JOIN checkpoints c ON c.run_id = r.id
                GROUP BY r.id HAVING coalesce(max(c.analyzed_at), r.created_at) < ?
                ORDER BY r.name
                """, arguments: [cutoff])
            for r in rows {
                plan.runs.append(.init(id: r["id"], run: r["name"], checkpoints: r["n"], lastAnalyzedAt: r["last"]))
                dropped.insert(r["id"])
            }
        }
        guard policy.thins else { return plan }
        let runs = try Row.fetchAll(db, sql: "SELECT id, name FROM runs ORDER BY name")
        for run in runs where !dropped.contains(run["id"]) {
            let name: String = run["name"]
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, step, version, path, analyzed_at FROM checkpoints
                WHERE run_id = ? ORDER BY step, version, id
                """, arguments: [run["id"] as Int64])
            let cps = rows.map {
                PrunedCheckpoint(id: $0["id"], run: name, step: $0["step"], version: $0["version"],
                                 path: $0["path"], analyzedAt: $0["analyzed_at"])
            }
            plan.checkpoints += thinned(cps, policy, now: now)
        }
        return plan
    }

    /// The checkpoints of one run (in step order) the thinning rule removes.
    static func thinned(_ cps: [PrunedCheckpoint], _ p: RetentionPolicy, now: Double) -> [PrunedCheckpoint] {
        guard cps.count > 1 else { return [] }
        let firstByCount = p.keepLast.map { max(0, cps.count - $0) } ?? cps.count
        let since = p.keepDays.map { now - $0 * secondsPerDay }
        func recent(_ i: Int) -> Bool {
            // The newest checkpoint always stays: `runs` and the alert rules read the run from it.
            i >= firstByCount || i == cps.count - 1 || since.map { cps[i].analyzedAt >= $0 } == true
        }
        let old = cps.indices.filter { !recent($0) }
        guard !old.isEmpty else { return [] }
        guard let k = p.keepEvery else { return old.map { cps[$0] } }
        // One per bucket of k save intervals, the first of each: which one stays does not change
        // when the others go, so pruning again removes nothing more (a per-position "every k-th"
        // would shift after each pass and keep eating the survivors). The interval is measured
        // on the recent window, which is never thinned.
        let recentSteps = cps.indices.filter(recent).map { cps[$0].step }
        let interval = medianGap(recentSteps) ?? medianGap(cps.map(\.step)) ?? 1
        let width = max(1, k * interval)
        var seen = Set<Int>()
        var removed: [PrunedCheckpoint] = []
        for i in old {
            let s = cps[i].step
            let bucket = s >= 0 ? s / width : -((-s + width - 1) / width)
            if !seen.insert(bucket).inserted { removed.append(cps[i]) }
        }
        return removed
    }

    /// Median of the positive differences between consecutive distinct steps.
    static func medianGap(_ steps: [Int]) -> Int? {
        let distinct = Array(Set(steps)).sorted()
        guard distinct.count > 1 else { return nil }
        let gaps = zip(distinct.dropFirst(), distinct).map { $0 - $1 }.sorted()
        return gaps[gaps.count / 2]
    }

    /// Applies `plan` in transactions of at most `batchSize` checkpoints, calling `between`
    /// after each (the daemon yields there and stops when its time budget is spent: return
    /// false). A run is dropped only if it is still stale under `policy` at `now` (a checkpoint
    /// may have arrived since the plan). Each batch returns its freed pages (incremental vacuum).
    @discardableResult
    public func applyRetention(_ plan: RetentionPlan, policy: RetentionPolicy, now: Double, batchSize: Int = 64,
                               between: () -> Bool = { true }) throws -> PruneResult {
        let size = max(1, batchSize)
        var result = PruneResult(plan: RetentionPlan(), batches: 0, pagesFreed: 0,
                                 pageSize: try reading { db in try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096 })
        let cutoff = policy.dropRunsAfterDays.map { now - $0 * Self.secondsPerDay } ?? -Double.infinity
        for run in plan.runs {
            while true {
                // nil: a checkpoint arrived since the plan, the run stays.
                let step = try writing { db -> (removed: Int, freed: Int, dropped: Bool)? in
                    let fresh = try Bool.fetchOne(db, sql: """
                        SELECT EXISTS (SELECT 1 FROM checkpoints WHERE run_id = ? AND analyzed_at >= ?)
                        """, arguments: [run.id, cutoff]) ?? false
                    if fresh { return nil }
                    try db.execute(sql: """
                        DELETE FROM checkpoints WHERE id IN
                            (SELECT id FROM checkpoints WHERE run_id = ? ORDER BY id LIMIT ?)
                        """, arguments: [run.id, size])
                    let n = db.changesCount
                    if n < size { try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [run.id]) }
                    return (n, try Self.reclaim(db), n < size)
                }
                guard let step else { break }
                result.batches += 1; result.pagesFreed += step.freed
                if step.dropped { result.plan.runs.append(run) }
                if !between() { return result }
                if step.dropped { break }
            }
        }
        var i = 0
        while i < plan.checkpoints.count {
            let batch = Array(plan.checkpoints[i..<min(i + size, plan.checkpoints.count)])
            let freed = try writing { db -> Int in
                for c in batch {
                    try db.execute(sql: "DELETE FROM checkpoints WHERE id = ?", arguments: [c.id])
                }
                return try Self.reclaim(db)
            }
            result.plan.checkpoints += batch
            result.batches += 1; result.pagesFreed += freed
            i += size
            if i < plan.checkpoints.count, !between() { return result }
        }
        return result
    }

    /// Returns the free pages a batch left to the file system when the database is in
    /// incremental auto-vacuum mode (new databases are, HistoryStore.init); else 0 — an older
    /// file keeps its free pages for reuse until `vacuum()` converts it once.
    static func reclaim(_ db: Database) throws -> Int {
        guard try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") == 2 else { return 0 }
        let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        guard free > 0 else { return 0 }
        try db.execute(sql: "PRAGMA incremental_vacuum")
        return free - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
    }

    /// Whether free pages go back to the file system as retention removes rows.
    public func incrementalVacuumEnabled() throws -> Bool {
        try reading { db in try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") == 2 }
    }

    /// Rewrites the whole file once in incremental auto-vacuum mode (databases made before it
    /// was the default); returns the bytes saved. Blocks writers for the whole rewrite and needs
    /// free disk space about the database's size, so `wwmon prune --vacuum` does it on request,
    /// never the daemon.
    @discardableResult
    public func vacuum() throws -> Int {
        do {
            return try pool.writeWithoutTransaction { db in
                let before = try Self.fileBytes(db)
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                try db.execute(sql: "VACUUM")
                return before - (try Self.fileBytes(db))
            }
        } catch { throw Self.translate(error, path: path) }
    }

    static func fileBytes(_ db: Database) throws -> Int {
        let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        return pages * (try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096)
    }
}

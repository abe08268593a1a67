import Foundation
import Logging
import Store

/// The daemon's share of retention (`[store.retention]`): each maintenance tick applies the
/// rules for at most `budget`, in transactions of `batchSize` checkpoints, so a checkpoint
/// being recorded waits for one small batch at most; a large backlog (rules just added to a
/// years-old store) is worked off over the following ticks.
struct RetentionPass: Sendable {
    var policy: RetentionPolicy
    var batchSize = 64
    var budget: Duration = .seconds(10)

    /// Returns what was removed (nil: no rules).
    func run(on store: HistoryStore, now: Date, logger: Logger) -> PruneResult? {
        guard !policy.isEmpty else { return nil }
        do {
            let plan = try store.retentionPlan(policy, now: now.timeIntervalSince1970)
            guard !plan.isEmpty else { return nil }
            let deadline = ContinuousClock.now + budget
            let r = try store.applyRetention(plan, policy: policy, now: now.timeIntervalSince1970,
                                             batchSize: batchSize, between: { ContinuousClock.now < deadline })
            logger.notice("retention removed old history", metadata: [
                "retention.runs": "\(r.plan.runs.count)", "retention.checkpoints": "\(r.plan.checkpoints.count)",
                "retention.remaining": "\(plan.checkpoints.count + plan.runs.count - r.plan.checkpoints.count - r.plan.runs.count)",
                "retention.bytes_freed": "\(r.bytesFreed)",
            ])
            return r
        } catch {
            logger.error("retention failed", metadata: ["error": "\(error)"])
            return nil
        }
    }
}

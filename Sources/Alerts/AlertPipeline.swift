import Foundation
import Logging
import Metrics

/// After each recorded checkpoint: rules → lifecycle → store → hooks. The daemon owns one.
/// Operations run one at a time (each awaits the store between evaluating and recording,
/// and two interleaved operations could write one fingerprint's transitions out of order).
public actor AlertPipeline {
    public let engine: RulesEngine
    public let dispatcher: HookDispatcher
    private let store: any AlertStore
    private let logger: Logger
    private var book: AlertBook?
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(settings: RuleSettings, store: any AlertStore, dispatcher: HookDispatcher,
                logger: Logger = Logger(label: "wwmon.alerts")) {
        self.engine = RulesEngine(settings: settings); self.store = store
        self.dispatcher = dispatcher; self.logger = logger
    }

    /// A checkpoint was analysed and recorded. Returns the transitions it caused (already
    /// stored and queued for hooks). The rules see a run's checkpoints in step order whatever
    /// order they were analysed in: one older than the run's newest (a backlog analysed newest
    /// first, a late file) makes the newest ones be judged again, so the alerts left firing are
    /// the newest checkpoint's.
    @discardableResult
    public func checkpointRecorded(run: String, step: Int, rows: [LayerReport], summary: Summary,
                                   at now: Date = Date()) async throws -> [AlertEvent] {
        try await serially {
            let t = engine.settings.thresholds(for: run)
            let window = try await store.analysed(run: run, last: t.resolveAfter + 1)
            if let newest = window.last?.step, newest > step {
                return try await replay(run: run, window, now: now)
            }
            return try await apply(RuleInput(run: run, step: step,
                                             outcome: .analysed(rows: rows, summary: summary),
                                             history: try await history(run, before: step, t)), now: now)
        }
    }

    /// A recorded checkpoint moved to another step (files beside it arrived late): judge the
    /// run's newest checkpoints again, in step order.
    @discardableResult
    public func reevaluate(run: String, at now: Date = Date()) async throws -> [AlertEvent] {
        try await serially {
            let t = engine.settings.thresholds(for: run)
            return try await replay(run: run, try await store.analysed(run: run, last: t.resolveAfter + 1), now: now)
        }
    }

    private func history(_ run: String, before step: Int, _ t: AlertThresholds) async throws -> [CheckpointSnapshot] {
        try await store.snapshots(run: run, before: step,
                                  limit: max(t.driftWindow, t.trendWindow + t.reversalSteps) + 1)
    }

    /// Judges `window` (the run's newest checkpoints, oldest first) in order on a copy of the
    /// lifecycle, then stores and sends only the net change against what was firing before:
    /// a replay must not replay old transitions to the hooks. `resolveAfter + 1` checkpoints
    /// decide the firing set exactly (older ones only feed the rules' history windows).
    private func replay(run: String, _ window: [AnalysedCheckpoint], now: Date) async throws -> [AlertEvent] {
        let before = try await loadedBook()
        var after = before
        let t = engine.settings.thresholds(for: run)
        for c in window {
            let e = engine.evaluate(RuleInput(run: run, step: c.step, outcome: .analysed(rows: c.rows, summary: c.summary),
                                              history: try await history(run, before: c.step, t)))
            _ = after.apply(e, now: now, repeatInterval: .infinity, resolveAfter: t.resolveAfter)
        }
        let events = AlertBook.netChange(run: run, from: before, to: after, step: window.last?.step, now: now)
        book = after
        try await publish(events)
        return events
    }

    /// A checkpoint could not be read or analysed.
    @discardableResult
    public func checkpointFailed(run: String, step: Int, path: String, error: String,
                                 at now: Date = Date()) async throws -> [AlertEvent] {
        try await serially {
            try await apply(RuleInput(run: run, step: step,
                                      outcome: .failed(path: path, error: error), history: []), now: now)
        }
    }

    /// Reminders for alerts still firing after their run's repeat interval (call from a timer).
    @discardableResult
    public func remindDue(at now: Date = Date()) async throws -> [AlertEvent] {
        try await serially {
            var b = try await loadedBook()
            let events = b.dueRepeats(now: now, repeatInterval: {
                self.engine.settings.thresholds(for: $0).repeatInterval
            })
            book = b
            try await publish(events)
            return events
        }
    }

    private func apply(_ input: RuleInput, now: Date) async throws -> [AlertEvent] {
        var b = try await loadedBook()
        let evaluation = engine.evaluate(input)
        let t = engine.settings.thresholds(for: input.run)
        let events = b.apply(evaluation, now: now, repeatInterval: t.repeatInterval, resolveAfter: t.resolveAfter)
        book = b
        try await publish(events)
        return events
    }

    private func publish(_ events: [AlertEvent]) async throws {
        guard !events.isEmpty else { return }
        let deliveries = try await store.record(events, for: dispatcher.hooks)
        for e in events {
            logger.notice("alert \(e.kind.rawValue)", metadata: [
                "alert": "\(e.alert.fingerprint)", "step": "\(e.alert.step)",
                "message": "\(e.alert.message)",
            ])
        }
        await dispatcher.deliver(deliveries)
    }

    /// Hands the dispatcher every outbox entry not yet sent: after a crash between an alert and
    /// its hook, at start (and on each maintenance tick, for runs that failed to record).
    public func redeliverUnsent() async throws {
        try await serially {
            await dispatcher.deliver(try await store.unsentDeliveries())
        }
    }

    private func loadedBook() async throws -> AlertBook {
        if let book { return book }
        let b = AlertBook(active: try await store.firingAlerts())
        book = b
        return b
    }

    /// Runs `body` after every earlier operation has finished.
    private func serially<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if busy { await withCheckedContinuation { waiting.append($0) } } else { busy = true }
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}

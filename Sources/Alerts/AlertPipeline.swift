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
    /// stored and queued for hooks).
    @discardableResult
    public func checkpointRecorded(run: String, step: Int, rows: [LayerReport], summary: Summary,
                                   at now: Date = Date()) async throws -> [AlertEvent] {
        try await serially {
            let t = engine.settings.thresholds(for: run)
            let history = try await store.snapshots(
                run: run, before: step, limit: max(t.driftWindow, t.trendWindow + t.reversalSteps) + 1)
            return try await apply(RuleInput(run: run, step: step,
                                             outcome: .analysed(rows: rows, summary: summary),
                                             history: history), now: now)
        }
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
        let events = b.apply(evaluation, now: now,
                             repeatInterval: engine.settings.thresholds(for: input.run).repeatInterval)
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

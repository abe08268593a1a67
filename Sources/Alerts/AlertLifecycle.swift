import Foundation

public enum AlertStatus: String, Sendable, Codable { case firing, resolved }

/// One alert's current record (the store's `alerts` row).
public struct AlertState: Sendable, Equatable, Codable {
    public var fingerprint: AlertFingerprint
    public var metric: String
    public var status: AlertStatus
    /// The checkpoint step of the latest condition (or the resolving checkpoint).
    public var step: Int
    public var value: Double?
    public var threshold: Double?
    public var message: String
    public var firedAt: Date
    public var resolvedAt: Date?
    /// When hooks were last told about this alert (fire, repeat or resolve).
    public var lastSentAt: Date

    public init(fingerprint: AlertFingerprint, metric: String, status: AlertStatus, step: Int,
                value: Double?, threshold: Double?, message: String, firedAt: Date,
                resolvedAt: Date?, lastSentAt: Date) {
        self.fingerprint = fingerprint; self.metric = metric; self.status = status; self.step = step
        self.value = value; self.threshold = threshold; self.message = message
        self.firedAt = firedAt; self.resolvedAt = resolvedAt; self.lastSentAt = lastSentAt
    }
}

/// A transition worth telling hooks and the store about.
public struct AlertEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Entered firing.
        case fired
        /// Still firing after `repeat_interval`: a reminder.
        case repeated
        /// The condition cleared.
        case resolved
        /// Synthetic (`wwmon hook test`).
        case test
    }
    public var kind: Kind
    /// The alert as of this event.
    public var alert: AlertState
    public var at: Date

    public init(kind: Kind, alert: AlertState, at: Date) {
        self.kind = kind; self.alert = alert; self.at = at
    }
}

/// The firing/resolved state machine for all alerts, driven by evaluations and an explicit
/// clock (so tests never sleep). Resolved alerts are dropped from `active`; a condition that
/// returns later fires afresh.
public struct AlertBook: Sendable, Equatable {
    /// Firing alerts by fingerprint.
    public private(set) var active: [AlertFingerprint: AlertState]
    /// Consecutive evaluations a firing alert's condition has been absent (hysteresis). Kept
    /// in memory: after a restart an alert needs its full `resolveAfter` again, the safe side.
    public private(set) var clearStreak: [AlertFingerprint: Int] = [:]

    public init(active: [AlertState] = []) {
        self.active = Dictionary(active.filter { $0.status == .firing }.map { ($0.fingerprint, $0) },
                                 uniquingKeysWith: { _, b in b })
    }

    /// Applies one run's evaluation at time `now`; returns the transitions in a stable order
    /// (fired and repeated by fingerprint, then resolved by fingerprint). Hysteresis: a firing
    /// alert whose condition is absent resolves when the evaluation finds it clearly inside
    /// (`Evaluation.clearlyInside`) or after `resolveAfter` consecutive absent evaluations.
    public mutating func apply(_ e: Evaluation, now: Date, repeatInterval: Double,
                               resolveAfter: Int = 1) -> [AlertEvent] {
        var events: [AlertEvent] = []
        var holding = Set<AlertFingerprint>()
        for c in e.conditions.sorted(by: { $0.fingerprint < $1.fingerprint }) {
            guard holding.insert(c.fingerprint).inserted else { continue }
            clearStreak[c.fingerprint] = nil
            if var a = active[c.fingerprint] {
                a.step = c.step; a.value = c.value; a.threshold = c.threshold
                a.message = c.message; a.metric = c.metric
                if now.timeIntervalSince(a.lastSentAt) >= repeatInterval {
                    a.lastSentAt = now
                    events.append(AlertEvent(kind: .repeated, alert: a, at: now))
                }
                active[c.fingerprint] = a
            } else {
                let a = AlertState(fingerprint: c.fingerprint, metric: c.metric, status: .firing,
                                   step: c.step, value: c.value, threshold: c.threshold,
                                   message: c.message, firedAt: now, resolvedAt: nil, lastSentAt: now)
                active[c.fingerprint] = a
                events.append(AlertEvent(kind: .fired, alert: a, at: now))
            }
        }
        let cleared = active.keys.filter {
            $0.run == e.run && e.evaluated.contains($0.rule) && !holding.contains($0)
        }.sorted()
        for fp in cleared {
            let streak = (clearStreak[fp] ?? 0) + 1
            guard streak >= resolveAfter || e.clearlyInside.contains(fp) else {
                clearStreak[fp] = streak
                continue
            }
            clearStreak[fp] = nil
            var a = active.removeValue(forKey: fp)!
            a.status = .resolved; a.resolvedAt = now; a.lastSentAt = now; a.step = e.step
            events.append(AlertEvent(kind: .resolved, alert: a, at: now))
        }
        return events
    }

    /// The transitions between two states of one run's alerts: `fired` for alerts firing only
    /// in `to`, `resolved` (at `step`) for those firing only in `from`. Alerts firing in both
    /// carry on silently (their reminders keep their schedule).
    public static func netChange(run: String, from: AlertBook, to: AlertBook, step: Int?, now: Date) -> [AlertEvent] {
        var events: [AlertEvent] = []
        for fp in to.active.keys.sorted() where fp.run == run && from.active[fp] == nil {
            var a = to.active[fp]!
            a.firedAt = now; a.lastSentAt = now
            events.append(AlertEvent(kind: .fired, alert: a, at: now))
        }
        for fp in from.active.keys.sorted() where fp.run == run && to.active[fp] == nil {
            var a = from.active[fp]!
            a.status = .resolved; a.resolvedAt = now; a.lastSentAt = now
            if let step { a.step = step }
            events.append(AlertEvent(kind: .resolved, alert: a, at: now))
        }
        return events
    }

    /// Reminders for alerts that stayed firing past `repeatInterval` with no new checkpoint
    /// (a stalled run keeps its alerts); the daemon calls this from a timer.
    public mutating func dueRepeats(now: Date, repeatInterval: (String) -> Double) -> [AlertEvent] {
        var events: [AlertEvent] = []
        for fp in active.keys.sorted() {
            var a = active[fp]!
            guard now.timeIntervalSince(a.lastSentAt) >= repeatInterval(fp.run) else { continue }
            a.lastSentAt = now
            active[fp] = a
            events.append(AlertEvent(kind: .repeated, alert: a, at: now))
        }
        return events
    }
}

extension AlertEvent {
    /// The synthetic event `wwmon hook test` sends: rule `test`, plausible values, no store row.
    public static func test(hook: String, now: Date) -> AlertEvent {
        let a = AlertState(
            fingerprint: AlertFingerprint(rule: .test, run: "wwmon-hook-test", layer: "model.layers.0.mlp"),
            metric: "alpha", status: .firing, step: 0, value: 1.5, threshold: 2.0,
            message: "wwmon hook test: a synthetic event for hook '\(hook)'; nothing is wrong.",
            firedAt: now, resolvedAt: nil, lastSentAt: now)
        return AlertEvent(kind: .test, alert: a, at: now)
    }
}

import Foundation
import Testing
@testable import Alerts

/// The firing/resolved state machine over an explicit clock.
@Suite struct AlertLifecycleTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    let fp = AlertFingerprint(rule: .alphaOutOfRange, run: "r", layer: "l")

    func eval(_ holds: Bool, run: String = "r", step: Int = 1, value: Double = 1.5) -> Evaluation {
        Evaluation(run: run, step: step, evaluated: AlertRule.onAnalysis,
                   conditions: holds ? [AlertCondition(fingerprint: AlertFingerprint(rule: .alphaOutOfRange, run: run, layer: "l"),
                                                       metric: "alpha", step: step, value: value,
                                                       threshold: 2, message: "low")] : [])
    }

    @Test("a persisting condition does not re-fire inside repeat_interval and repeats once it has passed")
    func noRefireInsideRepeatInterval() {
        var book = AlertBook()
        let h = 3600.0
        #expect(book.apply(eval(true), now: t0, repeatInterval: 4 * h).brief == ["fired alpha_out_of_range l"])
        #expect(book.apply(eval(true), now: t0 + 1 * h, repeatInterval: 4 * h).isEmpty)
        #expect(book.apply(eval(true), now: t0 + 4 * h - 1, repeatInterval: 4 * h).isEmpty)
        let r = book.apply(eval(true, value: 1.4), now: t0 + 4 * h, repeatInterval: 4 * h)
        #expect(r.brief == ["repeated alpha_out_of_range l"])
        #expect(r[0].alert.firedAt == t0 && r[0].alert.value == 1.4)
        #expect(book.apply(eval(true), now: t0 + 5 * h, repeatInterval: 4 * h).isEmpty)
        #expect(book.apply(eval(true), now: t0 + 8 * h, repeatInterval: 4 * h).brief == ["repeated alpha_out_of_range l"])
    }

    @Test("resolving records resolvedAt; a condition that returns fires afresh with a new firedAt")
    func resolveThenRefire() {
        var book = AlertBook()
        _ = book.apply(eval(true), now: t0, repeatInterval: 100)
        let r = book.apply(eval(false, step: 2), now: t0 + 10, repeatInterval: 100)
        #expect(r.count == 1 && r[0].kind == .resolved)
        #expect(r[0].alert.status == .resolved && r[0].alert.resolvedAt == t0 + 10 && r[0].alert.step == 2)
        #expect(book.active.isEmpty)
        #expect(book.apply(eval(false), now: t0 + 20, repeatInterval: 100).isEmpty)
        let again = book.apply(eval(true), now: t0 + 30, repeatInterval: 100)
        #expect(again.count == 1 && again[0].kind == .fired && again[0].alert.firedAt == t0 + 30)
    }

    @Test("an evaluation of one run never resolves another run's alerts, nor rules it did not judge")
    func scopeLimitsResolution() {
        var book = AlertBook()
        _ = book.apply(eval(true, run: "a"), now: t0, repeatInterval: 100)
        #expect(book.apply(eval(false, run: "b"), now: t0 + 1, repeatInterval: 100).isEmpty)
        let failed = Evaluation(run: "a", step: 2, evaluated: AlertRule.onFailure, conditions: [])
        #expect(book.apply(failed, now: t0 + 2, repeatInterval: 100).isEmpty)
        #expect(book.active.count == 1)
    }

    @Test("dueRepeats reminds about alerts of a stalled run once per interval")
    func dueRepeats() {
        var book = AlertBook()
        _ = book.apply(eval(true), now: t0, repeatInterval: 100)
        #expect(book.dueRepeats(now: t0 + 99, repeatInterval: { _ in 100 }).isEmpty)
        #expect(book.dueRepeats(now: t0 + 100, repeatInterval: { _ in 100 }).brief == ["repeated alpha_out_of_range l"])
        #expect(book.dueRepeats(now: t0 + 150, repeatInterval: { _ in 100 }).isEmpty)
    }

    @Test("a book restored from stored states keeps only firing alerts and continues their timers")
    func restoreFromStore() {
        let firing = AlertState(fingerprint: fp, metric: "alpha", status: .firing, step: 1, value: 1.5,
                                threshold: 2, message: "low", firedAt: t0, resolvedAt: nil, lastSentAt: t0)
        var resolved = firing; resolved.fingerprint.layer = "m"; resolved.status = .resolved
        var book = AlertBook(active: [firing, resolved])
        #expect(book.active.keys.sorted() == [fp])
        #expect(book.apply(eval(true), now: t0 + 50, repeatInterval: 100).isEmpty)
    }
}

/// Which events a hook's `events` / `send_resolved` settings admit.
@Suite struct HookFilterTests {
    @Test("events lists rule names, 'resolved' admits resolutions, send_resolved=false drops them, tests always pass")
    func filters() {
        let fired = event(kind: .fired), resolved = event(kind: .resolved), test = event(kind: .test)
        let all = HookConfig(name: "a", command: ["/bin/true"])
        #expect(all.accepts(fired) && all.accepts(resolved))
        let noResolved = HookConfig(name: "b", command: ["/bin/true"], sendResolved: false)
        #expect(noResolved.accepts(fired) && !noResolved.accepts(resolved) && noResolved.accepts(test))
        let drift = HookConfig(name: "c", command: ["/bin/true"], events: ["alpha_drift"])
        #expect(!drift.accepts(fired) && !drift.accepts(resolved) && drift.accepts(test))
        let range = HookConfig(name: "d", command: ["/bin/true"], events: ["alpha_drift", "resolved"])
        #expect(!range.accepts(fired) && range.accepts(resolved))
    }
}

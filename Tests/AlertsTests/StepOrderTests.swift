import Analysis
import Foundation
import Metrics
import Store
import Testing
@testable import Alerts

/// Issue 9.7: rules judge a run in step order whatever order checkpoints were analysed in, and
/// a firing alert does not flap (hysteresis).
@Suite struct StepOrderTests: RecordsCheckpoints {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)


    /// Records `alphas` (layer q's alpha per step 100, 200, …) in the order `order` (indexes),
    /// running the rules after each as the daemon does; returns the firing fingerprints.
    func backlog(_ alphas: [Double], order: [Int]) async throws -> [String] {
        let dir = try scratchDir()
        let store = try HistoryStore(path: dir.appendingPathComponent("wwmon.db").path)
        let backend = HistoryAlertStore(store: store)
        var settings = RuleSettings(); settings.global.driftAbs = 100; settings.global.driftSigma = 1e9
        let pipeline = AlertPipeline(settings: settings, store: backend, dispatcher: HookDispatcher(hooks: []))
        for i in order {
            let rows = [row("q", alpha: alphas[i]), row("ok", alpha: 4)]
            let s = try record(store, run: "r", step: 100 * (i + 1), rows: rows)
            try await pipeline.checkpointRecorded(run: "r", step: 100 * (i + 1), rows: rows, summary: s, at: t0)
        }
        return try backend.list(run: "r", state: .firing).map { "\($0.rule) \($0.layer) @\($0.step ?? -1)" }
    }

    @Test("after a backlog analysed newest first, the firing alerts are the newest checkpoint's")
    func backlogNewestFirst() async throws {
        // q is out of range only at the newest step: it must be firing at the end.
        #expect(try await backlog([3, 3, 3, 3, 1.5], order: [4, 3, 2, 1, 0]) == ["alpha_out_of_range q @500"])
        // q was out of range only at the oldest step: nothing may be left firing.
        #expect(try await backlog([1.5, 3, 3, 3, 3], order: [4, 3, 2, 1, 0]).isEmpty)
        // The same series in order gives the same end state.
        #expect(try await backlog([3, 3, 3, 3, 1.5], order: [0, 1, 2, 3, 4]) == ["alpha_out_of_range q @500"])
        #expect(try await backlog([1.5, 3, 3, 3, 3], order: [0, 1, 2, 3, 4]).isEmpty)
    }

    @Test("a late older checkpoint replays only the net change to hooks: no fire-and-resolve noise")
    func replayPublishesNetChange() async throws {
        let dir = try scratchDir()
        let store = try HistoryStore(path: dir.appendingPathComponent("wwmon.db").path)
        let backend = HistoryAlertStore(store: store)
        var settings = RuleSettings(); settings.global.driftAbs = 100; settings.global.driftSigma = 1e9
        let pipeline = AlertPipeline(settings: settings, store: backend, dispatcher: HookDispatcher(hooks: []))
        let low = [row("q", alpha: 1.5), row("ok", alpha: 4)], fine = [row("q", alpha: 3), row("ok", alpha: 4)]
        #expect(try await pipeline.checkpointRecorded(run: "r", step: 200, rows: fine,
                                                      summary: record(store, run: "r", step: 200, rows: fine), at: t0).isEmpty)
        // Step 100 (older) is out of range, but the newest (200) is not: nothing to tell.
        #expect(try await pipeline.checkpointRecorded(run: "r", step: 100, rows: low,
                                                      summary: record(store, run: "r", step: 100, rows: low), at: t0).isEmpty)
        #expect(try backend.list(run: "r", state: .all).isEmpty)
    }
}

/// Hysteresis in the lifecycle: resolve after K clear checkpoints, or at once when clearly inside.
@Suite struct HysteresisTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    let fp = AlertFingerprint(rule: .alphaDrift, run: "r", layer: "l")

    func eval(_ holds: Bool, clear: Bool = false) -> Evaluation {
        Evaluation(run: "r", step: 1, evaluated: AlertRule.onAnalysis,
                   conditions: holds ? [AlertCondition(fingerprint: fp, metric: "alpha", step: 1, value: 1,
                                                       threshold: 0.5, message: "drift")] : [],
                   clearlyInside: clear ? [fp] : [])
    }

    @Test("a flapping condition stays one firing alert with resolve_after 3; it resolves after 3 clear checkpoints")
    func flappingDoesNotResolve() {
        var book = AlertBook()
        var kinds: [String] = []
        for holds in [true, false, true, false, false, true, false, false, false] {
            kinds += book.apply(eval(holds), now: t0, repeatInterval: 1e9, resolveAfter: 3).map(\.kind.rawValue)
        }
        #expect(kinds == ["fired", "resolved"])
        // Without hysteresis the same sequence flips at every change.
        var plain = AlertBook()
        var flips: [String] = []
        for holds in [true, false, true, false, false, true, false, false, false] {
            flips += plain.apply(eval(holds), now: t0, repeatInterval: 1e9, resolveAfter: 1).map(\.kind.rawValue)
        }
        #expect(flips == ["fired", "resolved", "fired", "resolved", "fired", "resolved"])
    }

    @Test("a value back inside by the margin resolves at once")
    func clearlyInsideResolvesAtOnce() {
        var book = AlertBook()
        _ = book.apply(eval(true), now: t0, repeatInterval: 1e9, resolveAfter: 3)
        #expect(book.apply(eval(false, clear: true), now: t0, repeatInterval: 1e9, resolveAfter: 3).map(\.kind) == [.resolved])
    }

    @Test("the rules call alpha clearly inside only beyond the margin")
    func marginInRules() {
        var s = RuleSettings(); s.global.resolveMargin = 0.2
        let engine = RulesEngine(settings: s)
        func inside(_ a: Double) -> Bool {
            let rows = [row("l", alpha: a)]
            return engine.evaluate(RuleInput(run: "r", step: 1, outcome: .analysed(rows: rows, summary: Summary(rows: rows, skipped: 0)),
                                             history: [])).clearlyInside
                .contains(AlertFingerprint(rule: .alphaOutOfRange, run: "r", layer: "l"))
        }
        #expect(!inside(2.1) && inside(2.3) && !inside(5.9) && inside(5.7))
    }
}

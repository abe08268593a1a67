import Foundation
import Metrics
import Testing
@testable import Alerts

/// Rules replayed over recorded series through the lifecycle: each test states the
/// checkpoints at which alerts must fire and resolve.
@Suite struct RulesEngineTests {
    /// Thresholds that switch the drift rule off, to watch one rule at a time.
    static var noDrift: RuleSettings {
        var t = AlertThresholds(); t.driftAbs = 100; t.driftSigma = 1e9
        return RuleSettings(global: t)
    }

    @Test("alpha out of range fires at the first bad checkpoint, stays quiet, resolves when back in range")
    func outOfRangeFiresAndResolves() {
        let alphas = [3.0, 2.5, 1.9, 1.8, 2.1, 7.0, 9.0, 4.0]
        // A healthy second layer keeps the run's mean alpha out of the picture.
        let s = Series(checkpoints: alphas.map { ([row("enc.0.q", alpha: $0), row("ok", alpha: 4)], nil) })
        let ev = s.replay(RulesEngine(settings: Self.noDrift))
        #expect(ev.map(\.brief) == [
            [], [], ["fired alpha_out_of_range enc.0.q"], [], ["resolved alpha_out_of_range enc.0.q"],
            ["fired alpha_out_of_range enc.0.q"], [], ["resolved alpha_out_of_range enc.0.q"],
        ])
        #expect(ev[2][0].alert.threshold == 2.0)
        #expect(ev[2][0].alert.message.contains("over-trained"))
        #expect(ev[5][0].alert.threshold == 6.0)
        #expect(ev[5][0].alert.message.contains("README treats alpha > 8 as spurious"))
        #expect(ev[7][0].alert.step == 800)
    }

    @Test("an out-of-range alpha says when fix_fingers clipped its fit, and the alpha before the fix")
    func outOfRangeSaysFingersWereClipped() {
        var clipped = row("enc.0.q", alpha: 1.7)
        clipped.numFingers = 2; clipped.rawAlpha = 6.4
        var untouched = row("enc.1.q", alpha: 1.8)
        untouched.numFingers = 0; untouched.rawAlpha = 1.8
        let s = Series(checkpoints: [([clipped, untouched, row("ok", alpha: 4), row("ok2", alpha: 4)], nil)])
        let ev = s.replay(RulesEngine(settings: Self.noDrift))
        let messages = Dictionary(uniqueKeysWithValues: ev[0].map { ($0.alert.fingerprint.layer, $0.alert.message) })
        #expect(messages["enc.0.q"]?.contains("fix_fingers clip_xmax clipped the 3 largest eigenvalues: alpha 6.4 before the fix") == true)
        #expect(messages["enc.1.q"]?.contains("clipped nothing") == true)
    }

    @Test("failed fits (status failed, alpha -1) are never out of range; a layer that stops fitting raises fit_failed")
    func failedFitsAreNotOverTrained() {
        let s = Series(checkpoints: [
            ([row("never", alpha: -1, status: "failed"), row("flaky", alpha: 3)], nil),
            ([row("never", alpha: -1, status: "failed"), row("flaky", alpha: 3)], nil),
            ([row("never", alpha: -1, status: "failed"),
              row("flaky", alpha: -1, status: "failed", reason: "power-law fit did not converge")], nil),
            ([row("never", alpha: -1, status: "failed"), row("flaky", alpha: 3.1)], nil),
        ])
        let ev = s.replay(RulesEngine(settings: Self.noDrift))
        #expect(ev.map(\.brief) == [[], [], ["fired fit_failed flaky"], ["resolved fit_failed flaky"]])
        #expect(ev[2][0].alert.message.contains("power-law fit did not converge"))
        #expect(ev[2][0].alert.message.contains("last fitted at step 200"))
    }

    @Test("drift fires on a jump beyond drift_abs and on leaving the layer's own MAD band, lists top movers")
    func driftAbsoluteAndBand() {
        var t = AlertThresholds(); t.alphaMin = 0; t.alphaMax = 100
        let d = [3.0, 3.1, 3.0, 3.1, 3.0, 3.05, 3.1, 3.4, 3.0, 4.0]
        let e = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.6]
        let s = Series(checkpoints: zip(d, e).map { ([row("d", alpha: $0), row("e", alpha: $1)], nil) })
        let ev = s.replay(RulesEngine(settings: RuleSettings(global: t)))
        // 3.4 at checkpoint 7 moved only +0.3 (< drift_abs) but is ~4.7 MADs off its band's median;
        // checkpoint 8 is back inside; checkpoint 9 jumps +1.0 (d) and +0.6 (e).
        #expect(ev.map(\.brief) == [[], [], [], [], [], [], [], ["fired alpha_drift d"],
                                    ["resolved alpha_drift d"],
                                    ["fired alpha_drift d", "fired alpha_drift e"]])
        #expect(ev[7][0].alert.message.contains("robust deviations"))
        #expect(!ev[7][0].alert.message.contains("more than drift_abs"))
        let m = ev[9][0].alert.message
        #expect(m.contains("more than drift_abs"))
        #expect(m.contains("moved most") && m.contains("d (+1)") && m.contains("e (+0.6)"))
        #expect(m.range(of: "d (+1)")!.lowerBound < m.range(of: "e (+0.6)")!.lowerBound)
    }

    @Test("per-run overrides replace global thresholds for that run only")
    func perRunOverrides() {
        let settings = RuleSettings(global: Self.noDrift.global,
                                     perRun: ["strict": AlertThresholdOverrides(alphaMin: 3.5)])
        let rows = [row("l", alpha: 3.0)]
        let eng = RulesEngine(settings: settings)
        let strict = eng.evaluate(RuleInput(run: "strict", step: 1, outcome: .analysed(rows: rows, summary: summary()), history: []))
        let other = eng.evaluate(RuleInput(run: "other", step: 1, outcome: .analysed(rows: rows, summary: summary()), history: []))
        #expect(strict.conditions.map(\.fingerprint) == [AlertFingerprint(rule: .alphaOutOfRange, run: "strict", layer: "l")])
        #expect(strict.conditions[0].threshold == 3.5)
        #expect(other.conditions.isEmpty)
    }

    @Test("mean alpha over fitted layers below 2 is the early-stopping hint; failed fits are excluded from the mean")
    func meanAlphaLow() {
        let eng = RulesEngine(settings: Self.noDrift)
        let low = [row("a", alpha: 1.9), row("b", alpha: 1.95), row("c", alpha: -1, status: "failed")]
        let ok = [row("a", alpha: 1.9), row("b", alpha: 2.3)]
        let e1 = eng.evaluate(RuleInput(run: "r", step: 1, outcome: .analysed(rows: low, summary: summary()), history: []))
        let e2 = eng.evaluate(RuleInput(run: "r", step: 1, outcome: .analysed(rows: ok, summary: summary()), history: []))
        let c = e1.conditions.first { $0.fingerprint.rule == .meanAlphaLow }
        #expect(abs((c?.value ?? 0) - 1.925) < 1e-12)
        #expect(c?.message.contains("2 fitted layers (1 failed fits excluded)") == true)
        #expect(!e2.conditions.contains { $0.fingerprint.rule == .meanAlphaLow })
    }

    @Test("a log_spectral_norm trend reversal fires when it turns, names the metric and why, and resolves")
    func trendReversal() {
        let lsn = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.45, 1.4, 1.5]
        let s = Series(checkpoints: lsn.map { ([row("l", alpha: 3)], summary(logSpectralNorm: $0)) })
        let ev = s.replay(RulesEngine(settings: Self.noDrift))
        #expect(ev.map(\.brief) == [[], [], [], [], [], [], [],
                                    ["fired log_spectral_norm_trend_reversal "],
                                    ["resolved log_spectral_norm_trend_reversal "]])
        let m = ev[7][0].alert.message
        #expect(m.contains("⟨log_spectral_norm⟩ rose") && m.contains("Simpson's paradox"))
        #expect(ev[7][0].alert.metric == "log_spectral_norm")
    }

    @Test("an alpha_weighted reversal is a separate alert from log_spectral_norm's")
    func alphaWeightedReversal() {
        let aw = [5.0, 4.0, 3.0, 2.0, 1.0, 0.5, 0.8, 1.2]
        let s = Series(checkpoints: aw.map { ([row("l", alpha: 3)], summary(alphaWeighted: $0)) })
        let ev = s.replay(RulesEngine(settings: Self.noDrift))
        #expect(ev[7].brief == ["fired alpha_weighted_trend_reversal "])
        #expect(ev[7][0].alert.message.contains("⟨alpha_weighted⟩ fell"))
    }

    @Test("layers appearing or vanishing fire one run-level alert that resolves at the next stable checkpoint")
    func layersChanged() {
        let s = Series(checkpoints: [
            ([row("a", alpha: 3), row("b", alpha: 3)], nil),
            ([row("a", alpha: 3), row("c", alpha: 3)], nil),
            ([row("a", alpha: 3), row("c", alpha: 3)], nil),
        ])
        let ev = s.replay(RulesEngine(settings: Self.noDrift))
        #expect(ev.map(\.brief) == [[], ["fired layers_changed "], ["resolved layers_changed "]])
        #expect(ev[1][0].alert.message.contains("1 appeared (c); 1 vanished (b)"))
    }

    @Test("an unreadable checkpoint fires analysis_failed, leaves layer alerts alone, resolves on the next good one")
    func checkpointError() {
        let s = Series(checkpoints: [
            ([row("a", alpha: 1.5), row("ok", alpha: 4)], nil),
            (nil, nil),
            ([row("a", alpha: 1.5), row("ok", alpha: 4)], nil),
        ])
        let ev = s.replay(RulesEngine(settings: Self.noDrift))
        #expect(ev.map(\.brief) == [["fired alpha_out_of_range a"], ["fired analysis_failed "],
                                    ["resolved analysis_failed "]])
        #expect(ev[1][0].alert.message.contains("/ckpt/200/model.safetensors"))
        #expect(ev[1][0].alert.message.contains("header length"))
    }

    @Test("reversal detector: needs window+recent+1 points, a mostly monotone window and a strict turn")
    func reversalDetector() {
        #expect(Reversal.find([1, 2, 3, 4, 5, 6, 5, 4], window: 5, recent: 2)?.rising == true)
        #expect(Reversal.find([2, 3, 4, 5, 6, 5, 4], window: 5, recent: 2) == nil)  // too short
        #expect(Reversal.find([1, 2, 1, 2, 1, 2, 1, 0], window: 5, recent: 2) == nil)  // no trend
        #expect(Reversal.find([1, 2, 3, 4, 5, 6, 5, 6], window: 5, recent: 2) == nil)  // no turn
    }
}

import Foundation
import Metrics

/// The rules: a pure function from one checkpoint plus its run's history to conditions.
public struct RulesEngine: Sendable {
    public var settings: RuleSettings

    public init(settings: RuleSettings = RuleSettings()) { self.settings = settings }

    public func evaluate(_ input: RuleInput) -> Evaluation {
        let t = settings.thresholds(for: input.run)
        switch input.outcome {
        case .failed(let path, let error):
            let c = AlertCondition(
                fingerprint: AlertFingerprint(rule: .checkpointError, run: input.run),
                metric: "checkpoint", step: input.step, value: nil, threshold: nil,
                message: "checkpoint \(path) could not be analysed: \(error)")
            return Evaluation(run: input.run, step: input.step, evaluated: AlertRule.onFailure,
                              conditions: [c])
        case .analysed(let rows, let summary):
            var out: [AlertCondition] = []
            let ctx = Context(run: input.run, step: input.step, rows: rows, summary: summary,
                              history: input.history, t: t)
            out += ctx.outOfRange()
            out += ctx.drift()
            out += ctx.meanAlphaLow()
            out += ctx.trendReversals()
            out += ctx.fitFailures()
            out += ctx.layersChanged()
            return Evaluation(run: input.run, step: input.step, evaluated: AlertRule.onAnalysis,
                              conditions: out, clearlyInside: ctx.clearlyInside())
        }
    }
}

/// One evaluation's inputs, so each rule reads as a short method.
private struct Context {
    let run: String
    let step: Int
    let rows: [LayerReport]
    let summary: Summary
    let history: [CheckpointSnapshot]
    let t: AlertThresholds

    func condition(_ rule: AlertRule, layer: String = "", metric: String, value: Double?,
                   threshold: Double?, _ message: String) -> AlertCondition {
        AlertCondition(fingerprint: AlertFingerprint(rule: rule, run: run, layer: layer),
                       metric: metric, step: step, value: value, threshold: threshold,
                       message: message)
    }

    func outOfRange() -> [AlertCondition] {
        rows.filter(\.isFitted).compactMap { r in
            if r.alpha < t.alphaMin {
                return condition(.alphaOutOfRange, layer: r.alertKey, metric: "alpha",
                                 value: r.alpha, threshold: t.alphaMin,
                                 "layer \(r.alertKey): alpha \(f(r.alpha)) < alpha_min \(f(t.alphaMin)) "
                                 + "at step \(step): over-trained (spin-glass side) by WeightWatcher's labels"
                                 + fingersNote(r))
            }
            if r.alpha > t.alphaMax {
                let spurious = r.alpha > 8
                    ? " This value is above 8: more likely a spurious fit than a real signal."
                    : ""
                return condition(.alphaOutOfRange, layer: r.alertKey, metric: "alpha",
                                 value: r.alpha, threshold: t.alphaMax,
                                 "layer \(r.alertKey): alpha \(f(r.alpha)) > alpha_max \(f(t.alphaMax)) "
                                 + "at step \(step): under-trained (random-like) by WeightWatcher's labels; "
                                 + "WeightWatcher's README treats alpha > 8 as spurious." + spurious + fingersNote(r))
            }
            return nil
        }
    }

    /// Level alerts whose value is back inside by `resolveMargin` (hysteresis, AlertBook.apply).
    func clearlyInside() -> Set<AlertFingerprint> {
        let m = t.resolveMargin
        var out: Set<AlertFingerprint> = []
        for r in rows where r.isFitted && r.alpha >= t.alphaMin + m && r.alpha <= t.alphaMax - m {
            out.insert(AlertFingerprint(rule: .alphaOutOfRange, run: run, layer: r.alertKey))
        }
        let fitted = rows.filter(\.isFitted)
        if !fitted.isEmpty, fitted.map(\.alpha).reduce(0, +) / Double(fitted.count) >= t.meanAlphaMin + m {
            out.insert(AlertFingerprint(rule: .meanAlphaLow, run: run))
        }
        // Analysed at all: the checkpoint-error alert has nothing left to wait for.
        out.insert(AlertFingerprint(rule: .checkpointError, run: run))
        return out
    }

    /// Says when fix_fingers changed the fit the alert is about (issue 13).
    func fingersNote(_ r: LayerReport) -> String {
        guard let n = r.numFingers else { return "" }
        if n == 0 { return " (fix_fingers clip_xmax was on and clipped nothing.)" }
        return " (fix_fingers clip_xmax clipped the \(n + 1) largest eigenvalues: "
            + "alpha \(f(r.rawAlpha ?? .nan)) before the fix.)"
    }

    func drift() -> [AlertCondition] {
        // Each fitted layer's move since its latest earlier fit, for the "moved most" list.
        var moves: [(key: String, row: LayerReport, prev: Double, prevStep: Int)] = []
        for r in rows where r.isFitted {
            if let h = history.last(where: { $0.layers[r.alertKey]?.fitted == true }),
               let p = h.layers[r.alertKey] {
                moves.append((r.alertKey, r, p.alpha, h.step))
            }
        }
        let ranked = moves.sorted { abs($0.row.alpha - $0.prev) > abs($1.row.alpha - $1.prev) }
        let top = ranked.prefix(3).map { "\($0.key) (\(signed($0.row.alpha - $0.prev)))" }
        let topText = " Layers that moved most since their previous fit: " + top.joined(separator: ", ") + "."

        var out: [AlertCondition] = []
        for m in moves {
            let delta = m.row.alpha - m.prev
            var reasons: [String] = []
            if abs(delta) > t.driftAbs {
                reasons.append("alpha moved \(signed(delta)) (\(f(m.prev)) → \(f(m.row.alpha))) "
                               + "since step \(m.prevStep), more than drift_abs \(f(t.driftAbs))")
            }
            let band = history.suffix(t.driftWindow).compactMap { s -> Double? in
                guard let l = s.layers[m.key], l.fitted else { return nil }
                return l.alpha
            }
            // A band needs a few points before its spread means anything.
            if band.count >= 4 {
                let med = RobustStats.median(band)
                let mad = RobustStats.scaledMAD(band, median: med)
                if mad > 0, abs(m.row.alpha - med) > t.driftSigma * mad {
                    reasons.append("alpha \(f(m.row.alpha)) is \(f(abs(m.row.alpha - med) / mad)) robust "
                                   + "deviations from the median \(f(med)) of its last \(band.count) fits "
                                   + "(drift_sigma \(f(t.driftSigma)))")
                }
            }
            if !reasons.isEmpty {
                out.append(condition(.alphaDrift, layer: m.key, metric: "alpha", value: m.row.alpha,
                                     threshold: t.driftAbs,
                                     "layer \(m.key) at step \(step): " + reasons.joined(separator: "; ")
                                     + "." + topText))
            }
        }
        return out
    }

    func meanAlphaLow() -> [AlertCondition] {
        let fitted = rows.filter(\.isFitted)
        guard !fitted.isEmpty else { return [] }
        let mean = fitted.map(\.alpha).reduce(0, +) / Double(fitted.count)
        guard mean < t.meanAlphaMin else { return [] }
        let failed = rows.count - fitted.count
        return [condition(.meanAlphaLow, metric: "mean_alpha", value: mean, threshold: t.meanAlphaMin,
                          "mean alpha \(f(mean)) over \(fitted.count) fitted layers (\(failed) failed fits "
                          + "excluded) < \(f(t.meanAlphaMin)) at step \(step): WeightWatcher's early-stopping "
                          + "hint that the model may be over-training; its README says this only works "
                          + "for very well trained models.")]
    }

    func trendReversals() -> [AlertCondition] {
        let why = " Compare models of different depth by ⟨log_spectral_norm⟩ or ⟨alpha_weighted⟩, and "
            + "hyper-parameter settings of one architecture by ⟨alpha⟩: the metrics can disagree "
            + "(Simpson's paradox), so this alert names the metric that turned."
        var out: [AlertCondition] = []
        for (rule, name, key) in [(AlertRule.alphaWeightedReversal, "alpha_weighted", \Summary.alphaWeighted),
                                  (.logSpectralNormReversal, "log_spectral_norm", \Summary.logSpectralNorm)] {
            let series = (history.map { ($0.step, $0.summary[keyPath: key]) } + [(step, summary[keyPath: key])])
                .filter { $0.1.isFinite }
            guard let r = Reversal.find(series.map(\.1), window: t.trendWindow, recent: t.reversalSteps)
            else { continue }
            let n = series.count - 1
            let turn = series[n - t.reversalSteps]
            let start = series[n - t.reversalSteps - t.trendWindow]
            let was = r.rising ? "rose" : "fell", now = r.rising ? "fallen" : "risen"
            out.append(condition(rule, metric: name, value: series[n].1, threshold: turn.1,
                                 "⟨\(name)⟩ \(was) over \(t.trendWindow) checkpoints (steps \(start.0)–\(turn.0), "
                                 + "\(f(start.1)) → \(f(turn.1))) and has \(now) for the last \(t.reversalSteps) "
                                 + "(to \(f(series[n].1)) at step \(step))." + why))
        }
        return out
    }

    func fitFailures() -> [AlertCondition] {
        rows.filter { !$0.isFitted }.compactMap { r in
            guard let h = history.last(where: { $0.layers[r.alertKey]?.fitted == true }) else { return nil }
            let why = r.reason ?? (r.warning.isEmpty ? "status \(r.status)" : r.warning)
            return condition(.fitFailed, layer: r.alertKey, metric: "alpha",
                             value: r.alpha.isFinite ? r.alpha : nil, threshold: nil,
                             "layer \(r.alertKey): power-law fit failed at step \(step) (\(why)); it last "
                             + "fitted at step \(h.step) with alpha \(f(h.layers[r.alertKey]!.alpha)). "
                             + "A failed fit is not evidence of over-training.")
        }
    }

    func layersChanged() -> [AlertCondition] {
        guard let prev = history.last else { return [] }
        let now = Set(rows.map(\.alertKey)), before = Set(prev.layers.keys)
        let appeared = now.subtracting(before).sorted(), vanished = before.subtracting(now).sorted()
        guard !appeared.isEmpty || !vanished.isEmpty else { return [] }
        func list(_ xs: [String]) -> String {
            xs.prefix(5).joined(separator: ", ") + (xs.count > 5 ? ", … (\(xs.count - 5) more)" : "")
        }
        var parts: [String] = []
        if !appeared.isEmpty { parts.append("\(appeared.count) appeared (\(list(appeared)))") }
        if !vanished.isEmpty { parts.append("\(vanished.count) vanished (\(list(vanished)))") }
        return [condition(.layersChanged, metric: "layer_count", value: Double(now.count),
                          threshold: Double(before.count),
                          "layers changed between step \(prev.step) and step \(step): "
                          + parts.joined(separator: "; ") + ".")]
    }
}

/// A trend reversal: `window` steps mostly one way, then `recent` steps all the other way.
enum Reversal {
    struct Found { var rising: Bool }

    static func find(_ x: [Double], window: Int, recent: Int) -> Found? {
        guard window >= 1, recent >= 1, x.count >= window + recent + 1 else { return nil }
        let n = x.count - 1
        let turn = n - recent, start = turn - window
        let overall = x[turn] - x[start]
        guard overall != 0 else { return nil }
        let dir: Double = overall > 0 ? 1 : -1
        // "Mostly one way": at least three quarters of the window's steps go with the trend.
        let with = (start..<turn).filter { (x[$0 + 1] - x[$0]) * dir > 0 }.count
        guard Double(with) >= 0.75 * Double(window) else { return nil }
        guard (turn..<n).allSatisfy({ (x[$0 + 1] - x[$0]) * dir < 0 }) else { return nil }
        return Found(rising: dir > 0)
    }
}

func f(_ x: Double) -> String { x.isFinite ? String(format: "%.3g", x) : "\(x)" }
func signed(_ x: Double) -> String { (x >= 0 ? "+" : "") + f(x) }

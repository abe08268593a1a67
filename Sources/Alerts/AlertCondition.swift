/// The rules wwmon evaluates. Raw values are the stable `rule` column and `WWMON_RULE`.
public enum AlertRule: String, Sendable, Codable, CaseIterable, Comparable {
    /// A fitted layer's alpha outside [alpha_min, alpha_max].
    case alphaOutOfRange = "alpha_out_of_range"
    /// A layer's alpha jumped since the previous checkpoint or left its own recent band.
    case alphaDrift = "alpha_drift"
    /// The run's mean alpha over fitted layers fell below mean_alpha_min.
    case meanAlphaLow = "mean_alpha_low"
    /// ⟨alpha_weighted⟩ turned against its recent trend.
    case alphaWeightedReversal = "alpha_weighted_trend_reversal"
    /// ⟨log_spectral_norm⟩ turned against its recent trend.
    case logSpectralNormReversal = "log_spectral_norm_trend_reversal"
    /// A layer that used to fit now fails to fit.
    case fitFailed = "fit_failed"
    /// Layers appeared or vanished since the previous checkpoint.
    case layersChanged = "layers_changed"
    /// The checkpoint could not be read or analysed.
    case checkpointError = "analysis_failed"
    /// Synthetic, from `wwmon hook test`; never produced by the engine.
    case test = "test"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Rules evaluated when a checkpoint was analysed (all but the error and test rules).
    public static let onAnalysis: Set<AlertRule> = [
        .alphaOutOfRange, .alphaDrift, .meanAlphaLow, .alphaWeightedReversal,
        .logSpectralNormReversal, .fitFailed, .layersChanged, .checkpointError,
    ]
    /// Rules evaluated when a checkpoint failed: only the error rule; layer alerts keep
    /// their state because nothing new is known about them.
    public static let onFailure: Set<AlertRule> = [.checkpointError]
}

/// An alert's identity: rule, run and layer ("" for run-level rules).
public struct AlertFingerprint: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var rule: AlertRule
    public var run: String
    public var layer: String

    public init(rule: AlertRule, run: String, layer: String = "") {
        self.rule = rule; self.run = run; self.layer = layer
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.run, a.rule.rawValue, a.layer) < (b.run, b.rule.rawValue, b.layer)
    }

    /// `rule|run|layer`, the stable text form (WWMON_ALERT_ID, JSON `fingerprint`).
    public var description: String { "\(rule.rawValue)|\(run)|\(layer)" }
}

/// A rule's finding at one checkpoint: the condition holds now.
public struct AlertCondition: Sendable, Equatable {
    public var fingerprint: AlertFingerprint
    /// The metric judged: `alpha`, `mean_alpha`, `alpha_weighted`, `log_spectral_norm`, ...
    public var metric: String
    public var step: Int
    public var value: Double?
    public var threshold: Double?
    public var message: String

    public init(fingerprint: AlertFingerprint, metric: String, step: Int, value: Double?,
                threshold: Double?, message: String) {
        self.fingerprint = fingerprint; self.metric = metric; self.step = step
        self.value = value; self.threshold = threshold; self.message = message
    }
}

/// Everything the rules found for one run at one checkpoint, and which rules were judged
/// (an unjudged rule's alerts neither fire nor resolve).
public struct Evaluation: Sendable, Equatable {
    public var run: String
    public var step: Int
    public var evaluated: Set<AlertRule>
    public var conditions: [AlertCondition]
    /// Alerts whose value is back inside by the resolve margin: a firing one resolves at once
    /// (hysteresis; the others wait for `resolveAfter` clear checkpoints).
    public var clearlyInside: Set<AlertFingerprint>

    public init(run: String, step: Int, evaluated: Set<AlertRule>, conditions: [AlertCondition],
                clearlyInside: Set<AlertFingerprint> = []) {
        self.run = run; self.step = step; self.evaluated = evaluated; self.conditions = conditions
        self.clearlyInside = clearlyInside
    }
}

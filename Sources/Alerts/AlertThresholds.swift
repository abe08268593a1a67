/// Rule thresholds. Defaults follow WeightWatcher 0.7.7 (`OVER_TRAINED_THRESH` 2.0,
/// `UNDER_TRAINED_THRESH` 6.0) and Alertmanager's 4 h `repeat_interval`.
public struct AlertThresholds: Sendable, Equatable {
    /// A fitted layer's alpha below this is on the over-trained / spin-glass side.
    public var alphaMin: Double = 2.0
    /// A fitted layer's alpha above this is under-trained (random-like).
    public var alphaMax: Double = 6.0
    /// A layer's alpha moving more than this since its previous checkpoint is drift.
    public var driftAbs: Double = 0.5
    /// A layer's alpha more than this many robust deviations (scaled MAD) from the median
    /// of its last `driftWindow` checkpoints is drift. 3.5 is Iglewicz & Hoaglin's cut-off.
    public var driftSigma: Double = 3.5
    /// How many previous checkpoints form a layer's own band.
    public var driftWindow: Int = 8
    /// The run's mean alpha (over fitted layers) below this is WeightWatcher's early-stopping hint.
    public var meanAlphaMin: Double = 2.0
    /// Checkpoints of consistent movement that establish a run-level trend.
    public var trendWindow: Int = 5
    /// Consecutive checkpoints against that trend that make a reversal.
    public var reversalSteps: Int = 2
    /// How long a firing alert stays quiet before it is sent again, in seconds.
    public var repeatInterval: Double = 4 * 3600
    /// Hysteresis: a firing level alert (alpha range, mean alpha) resolves at once only when its
    /// value is back inside by this margin (alpha units)…
    public var resolveMargin: Double = 0.2
    /// … otherwise after this many consecutive checkpoints without the condition. 1 = resolve
    /// at the first clear checkpoint (no hysteresis).
    public var resolveAfter: Int = 3

    public init() {}
}

/// Per-run overrides: each non-nil field replaces the global value.
public struct AlertThresholdOverrides: Sendable, Equatable {
    public var alphaMin: Double?
    public var alphaMax: Double?
    public var driftAbs: Double?
    public var driftSigma: Double?
    public var driftWindow: Int?
    public var meanAlphaMin: Double?
    public var trendWindow: Int?
    public var reversalSteps: Int?
    public var repeatInterval: Double?
    public var resolveMargin: Double?
    public var resolveAfter: Int?

    public init(alphaMin: Double? = nil, alphaMax: Double? = nil, driftAbs: Double? = nil,
                driftSigma: Double? = nil, driftWindow: Int? = nil, meanAlphaMin: Double? = nil,
                trendWindow: Int? = nil, reversalSteps: Int? = nil, repeatInterval: Double? = nil) {
        self.alphaMin = alphaMin; self.alphaMax = alphaMax; self.driftAbs = driftAbs
        self.driftSigma = driftSigma; self.driftWindow = driftWindow
        self.meanAlphaMin = meanAlphaMin; self.trendWindow = trendWindow
        self.reversalSteps = reversalSteps; self.repeatInterval = repeatInterval
    }
}

/// Global thresholds plus per-run overrides, as configured under `[alerts]`.
public struct RuleSettings: Sendable, Equatable {
    public var global: AlertThresholds
    public var perRun: [String: AlertThresholdOverrides]

    public init(global: AlertThresholds = AlertThresholds(),
                perRun: [String: AlertThresholdOverrides] = [:]) {
        self.global = global; self.perRun = perRun
    }

    /// The effective thresholds for one run.
    public func thresholds(for run: String) -> AlertThresholds {
        perRun[run].map(global.applying) ?? global
    }
}

extension AlertThresholds {
    /// These thresholds with every key the overrides set replaced.
    public func applying(_ o: AlertThresholdOverrides) -> AlertThresholds {
        var t = self
        if let v = o.alphaMin { t.alphaMin = v }
        if let v = o.alphaMax { t.alphaMax = v }
        if let v = o.driftAbs { t.driftAbs = v }
        if let v = o.driftSigma { t.driftSigma = v }
        if let v = o.driftWindow { t.driftWindow = v }
        if let v = o.meanAlphaMin { t.meanAlphaMin = v }
        if let v = o.trendWindow { t.trendWindow = v }
        if let v = o.reversalSteps { t.reversalSteps = v }
        if let v = o.repeatInterval { t.repeatInterval = v }
        if let v = o.resolveMargin { t.resolveMargin = v }
        if let v = o.resolveAfter { t.resolveAfter = v }
        return t
    }
}

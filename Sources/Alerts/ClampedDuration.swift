/// Seconds from configuration as a `Duration` without trapping. `Duration.seconds(Double)` and
/// `Int64(x * 1000)` trap on overflow (a 1e30-second setting once crashed the daemon at start,
/// on SIGTERM and at the first alert); configuration validation (Sources/Daemon/Config/
/// ConfigLimits.swift) keeps durations at most 30 days, and this clamp keeps every conversion
/// safe even for values built in code.
extension Duration {
    /// The longest duration any setting can mean (30 days).
    public static let longestSetting: Double = 30 * 86_400

    /// `seconds` clamped to 0…30 days; NaN becomes 0.
    public static func seconds(clamping seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        let s = min(seconds, longestSetting)
        return .nanoseconds(Int64((s * 1e9).rounded()))
    }
}

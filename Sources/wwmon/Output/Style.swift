#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Views

/// Terminal styling: colour only on a terminal and only when NO_COLOR is unset or empty
/// (https://no-color.org). Everything machine-readable stays uncoloured regardless.
struct Style: Sendable {
    var color: Bool

    static func forStandardOutput(environment: [String: String] = ProcessInfo.processInfo.environment) -> Style {
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        return Style(color: !noColor && isatty(STDOUT_FILENO) == 1 && environment["TERM"] != "dumb")
    }

    enum Tone: Sendable { case plain, alert, dim, bold, good }

    func paint(_ s: String, _ tone: Tone) -> String {
        guard color, !s.isEmpty else { return s }
        switch tone {
        case .plain: return s
        case .alert: return "\u{1B}[31m\(s)\u{1B}[0m"
        case .dim: return "\u{1B}[2m\(s)\u{1B}[0m"
        case .bold: return "\u{1B}[1m\(s)\u{1B}[0m"
        case .good: return "\u{1B}[32m\(s)\u{1B}[0m"
        }
    }
}

/// Number and time text shared by the tables and CSV.
enum Text {
    /// Fixed-point for tables; `-` for NaN (no value), `inf`/`-inf` as pandas writes them.
    static func fixed(_ v: Double?, _ digits: Int = 3) -> String {
        guard let v else { return "-" }
        if v.isNaN { return "-" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        // Integer arithmetic instead of String(format:), which costs microseconds a call on
        // Linux and dominated 5,000-row tables. Half-way cases round away from zero, as printf
        // does for all but exact binary ties (invisible at 3 digits on these metrics).
        let scale = [1.0, 10, 100, 1000, 10_000, 100_000, 1_000_000][min(max(digits, 0), 6)]
        guard abs(v) * scale < 9e15 else { return String(format: "%.\(digits)f", v) }
        let n = Int((abs(v) * scale).rounded())
        let sign = v < 0 && n != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(n) }
        let whole = n / Int(scale), frac = String(n % Int(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: digits - frac.count) + frac
    }

    /// Round-tripping text for CSV: empty for NaN/nil, `inf`/`-inf` for infinities.
    static func exact(_ v: Double?) -> String {
        guard let v, !v.isNaN else { return "" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return "\(v)"
    }

    /// RFC 3339 in UTC (the machine outputs' format, `Views/RFC3339.swift`).
    static func time(_ d: Date) -> String { RFC3339.string(d) }

    static func step(_ s: Int?) -> String { s.map(String.init) ?? "-" }
}

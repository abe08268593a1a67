import Foundation

/// Log lines carry names read from files (a pickle global, a tensor name, a path): control
/// characters in them must not reach the journal or a terminal raw, where a newline forges a
/// line and escape codes rewrite the screen (issue 10, point 8).
public enum LogText {
    /// Control characters (C0, DEL, C1) and the Unicode line/paragraph separators as visible
    /// escapes: `\n`, `\t`, `\r`, `\x1b`, `\u{2028}`.
    public static func escape(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            guard needsEscape(u) else { out.unicodeScalars.append(u); continue }
            switch u {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                out += u.value < 0x100 ? String(format: "\\x%02x", u.value) : String(format: "\\u{%04x}", u.value)
            }
        }
        return out
    }

    static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7f...0x9f).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
    }
}

/// Repeated identical log lines are cut to a burst per window, then counted: a full disk once
/// logged the same line 20 times a second. The first line after the window says how many were
/// dropped ("… repeated 1200 times"). Shared by every handler the factory makes (one lock).
public final class LogRateLimiter: @unchecked Sendable {
    public let burst: Int
    public let window: Double
    private let lock = NSLock()
    private var entries: [String: (start: Double, count: Int, dropped: Int)] = [:]

    public init(burst: Int = 5, window: Double = 10) { self.burst = burst; self.window = window }

    /// Whether to write the line with this key now, and how many of its copies were dropped
    /// in the window that just ended (0 if none).
    public func admit(_ key: String, now: Double = Date().timeIntervalSince1970) -> (emit: Bool, droppedBefore: Int) {
        lock.lock(); defer { lock.unlock() }
        if entries.count > 4096 { entries = entries.filter { now - $0.value.start < window } }
        guard var e = entries[key], now - e.start < window else {
            let dropped = entries[key]?.dropped ?? 0
            entries[key] = (now, 1, 0)
            return (true, dropped)
        }
        e.count += 1
        let emit = e.count <= burst
        if !emit { e.dropped += 1 }
        entries[key] = e
        return (emit, 0)
    }
}

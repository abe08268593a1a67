import Foundation

/// RFC 3339 in UTC, e.g. 2026-11-29T02:20:46Z: every machine-readable time wwmon prints.
public enum RFC3339 {
    /// Hand-written on gmtime_r because Foundation's ISO8601 formatting costs ~10 µs a call on
    /// Linux, which dominated `history` over thousands of checkpoints.
    public static func string(_ d: Date) -> String {
        var t = time_t(d.timeIntervalSince1970.rounded(.down))
        var tm = tm()
        guard gmtime_r(&t, &tm) != nil else { return d.ISO8601Format() }
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T"
            + "\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec))Z"
    }
}

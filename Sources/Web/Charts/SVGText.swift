import Foundation

/// Text and numbers as they go into SVG and HTML.
public enum Escape {
    /// For element text and attribute values alike: names come from checkpoint files and
    /// command lines, so `<script>` in a layer name must arrive as text.
    public static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab/newline would make the document invalid.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" { out += "\u{FFFD}" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    /// A query-string value: everything but unreserved characters percent-encoded (so `/`,
    /// `+`, `&` and `..` in run names stay data).
    public static func query(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// `path?k=v&…` with nil values left out, HTML-escaped for an href.
    public static func link(_ path: String, _ params: [(String, String?)]) -> String {
        let q = params.compactMap { k, v in v.map { "\(k)=\(query($0))" } }.joined(separator: "&")
        return html(q.isEmpty ? path : path + "?" + q)
    }
}

/// Coordinates and labels: short, fixed decimals (bytes matter at 5,000 checkpoints).
enum Num {
    /// Pixel coordinate with one decimal.
    static func px(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }

    /// A metric value for a label or tooltip.
    static func label(_ v: Double?, digits: Int = 3) -> String {
        guard let v, v.isFinite else { return "–" }
        if v != 0 && (abs(v) >= 1e5 || abs(v) < 1e-3) { return String(format: "%.2e", v) }
        return String(format: "%.\(digits)f", v)
    }

    /// An axis tick: as few digits as tell the ticks apart.
    static func tick(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.1e", v) }
        let digits = max(0, Int((-log10(step)).rounded(.up)))
        return String(format: "%.\(min(digits, 4))f", v)
    }
}

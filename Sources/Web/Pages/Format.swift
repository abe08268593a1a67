import Foundation
import Views

/// Table cell text.
enum Fmt {
    static func n(_ v: Double?, _ digits: Int = 3) -> String { Num.label(v, digits: digits) }
    static func time(_ d: Date?) -> String { d.map { RFC3339.string($0).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC") } ?? "–" }
    static func step(_ s: Int?) -> String { s.map(String.init) ?? "–" }

    /// Alpha with its healthy-range colour.
    static func alpha(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "<span class=\"dim\">–</span>" }
        return (2...6).contains(v) ? n(v) : "<span class=\"bad\">\(n(v))</span>"
    }

    static func run(_ name: String) -> String { Escape.link("/run", [("run", name)]) }
    static func layer(_ run: String, _ layer: String, step: Int? = nil) -> String {
        Escape.link("/layer", [("run", run), ("layer", layer), ("step", step.map(String.init))])
    }
}

/// RFC 4180 CSV: fields quoted when they hold a comma, quote or line break.
enum CSV {
    static func field(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\n" }
}

import Foundation

/// JSON for machines: snake_case keys (set by each row's CodingKeys), RFC 3339 times, `null`
/// for non-finite numbers, keys sorted so output is stable and diffable.
enum MachineJSON {
    static func encoder(pretty: Bool) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                                    : [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(Text.time(date))
        }
        return e
    }

    /// `--json`: one array.
    static func array<T: Encodable>(_ items: [T]) throws -> String {
        String(decoding: try encoder(pretty: true).encode(items), as: UTF8.self) + "\n"
    }

    /// `--ndjson`: one compact object per line (also what `--follow` streams).
    static func lines<T: Encodable>(_ items: [T]) throws -> String {
        let e = encoder(pretty: false)
        return try items.map { String(decoding: try e.encode($0), as: UTF8.self) + "\n" }.joined()
    }
}

extension KeyedEncodingContainer {
    /// Encodes an optional Double, writing `null` for nil, NaN and ±infinity; never omits the key.
    mutating func encodeNumber(_ v: Double?, forKey key: Key) throws {
        if let v, v.isFinite { try encode(v, forKey: key) } else { try encodeNil(forKey: key) }
    }

    /// Encodes an optional value as `null` when absent (the contract keeps every key).
    mutating func encodeOrNull<T: Encodable>(_ v: T?, forKey key: Key) throws {
        if let v { try encode(v, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

/// Flat JSON objects written by hand for the one hot path, `history` over thousands of
/// points: corelibs' JSONEncoder costs ~8 µs a row there, which alone broke the 50 ms budget
/// of a cold `wwmon history`. Same output conventions as `MachineJSON` (keys in the order
/// given — callers pass them sorted — null for non-finite numbers, unescaped slashes).
struct FlatJSON {
    enum Value {
        case string(String), int(Int), number(Double?), null
        static func optional(_ s: String?) -> Value { s.map(Value.string) ?? .null }
    }

    var fields: [(String, Value)]

    static func escape(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    static func text(_ v: Value) -> String {
        switch v {
        case .string(let s): return escape(s)
        case .int(let i): return "\(i)"
        case .number(let d): return d.map { $0.isFinite ? "\($0)" : "null" } ?? "null"
        case .null: return "null"
        }
    }

    /// One line, as `--ndjson` prints it.
    var compact: String {
        "{" + fields.map { Self.escape($0.0) + ":" + Self.text($0.1) }.joined(separator: ",") + "}"
    }

    /// The layout JSONEncoder's `.prettyPrinted` gives an array element.
    var prettyElement: String {
        "  {\n" + fields.map { "    " + Self.escape($0.0) + " : " + Self.text($0.1) }.joined(separator: ",\n") + "\n  }"
    }

    static func array(_ rows: [FlatJSON]) -> String {
        rows.isEmpty ? "[\n\n]\n" : "[\n" + rows.map(\.prettyElement).joined(separator: ",\n") + "\n]\n"
    }

    static func lines(_ rows: [FlatJSON]) -> String { rows.map { $0.compact + "\n" }.joined() }
}

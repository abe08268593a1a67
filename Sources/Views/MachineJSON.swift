import Foundation

/// JSON for machines: snake_case keys (set by each row's CodingKeys), RFC 3339 times, `null`
/// for non-finite numbers, keys sorted so output is stable and diffable. The CLI's `--json`
/// and the web API's `/api/v1` both write through here, so the two cannot drift.
public enum MachineJSON {
    public static func encoder(pretty: Bool) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                                    : [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(RFC3339.string(date))
        }
        return e
    }

    /// `--json`: one array.
    public static func array<T: Encodable>(_ items: [T]) throws -> String {
        String(decoding: try encoder(pretty: true).encode(items), as: UTF8.self) + "\n"
    }

    /// `--ndjson`: one compact object per line (also what `--follow` streams).
    public static func lines<T: Encodable>(_ items: [T]) throws -> String {
        let e = encoder(pretty: false)
        return try items.map { String(decoding: try e.encode($0), as: UTF8.self) + "\n" }.joined()
    }
}

extension KeyedEncodingContainer {
    /// Encodes an optional Double, writing `null` for nil, NaN and ±infinity; never omits the key.
    public mutating func encodeNumber(_ v: Double?, forKey key: Key) throws {
        if let v, v.isFinite { try encode(v, forKey: key) } else { try encodeNil(forKey: key) }
    }

    /// Encodes an optional value as `null` when absent (the contract keeps every key).
    public mutating func encodeOrNull<T: Encodable>(_ v: T?, forKey key: Key) throws {
        if let v { try encode(v, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

/// Flat JSON objects written by hand for the one hot path, `history` over thousands of
/// points: corelibs' JSONEncoder costs ~8 µs a row there, which alone broke the 50 ms budget
/// of a cold `wwmon history`. Same output conventions as `MachineJSON` (keys in the order
/// given — callers pass them sorted — null for non-finite numbers, unescaped slashes).
/// Bytes go into one growing buffer: String appends were the next cost.
public struct FlatJSON: Sendable {
    public enum Value: Sendable {
        case string(String), int(Int), number(Double?), null
        public static func optional(_ s: String?) -> Value { s.map(Value.string) ?? .null }
    }

    /// Keys are our own snake_case literals: written as they are, never escaped.
    public var fields: [(StaticString, Value)]

    public init(fields: [(StaticString, Value)]) { self.fields = fields }

    public static func escape(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case UInt8(ascii: "\n"): out.append(contentsOf: [92, 110])
            case UInt8(ascii: "\r"): out.append(contentsOf: [92, 114])
            case UInt8(ascii: "\t"): out.append(contentsOf: [92, 116])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, 117, 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: out.append(b)  // UTF-8 passes through unchanged
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    public static func escape(_ s: String) -> String {
        var out: [UInt8] = []; escape(s, into: &out); return String(decoding: out, as: UTF8.self)
    }

    public static func append(_ v: Value, to out: inout [UInt8]) {
        switch v {
        case .string(let s): escape(s, into: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .number(let d):
            if let d, d.isFinite { out.append(contentsOf: d.description.utf8) } else { out.append(contentsOf: "null".utf8) }
        case .null: out.append(contentsOf: "null".utf8)
        }
    }

    /// Appends the object: compact (`--ndjson`) or as JSONEncoder's `.prettyPrinted` lays out
    /// an array element.
    public func write(to out: inout [UInt8], pretty: Bool) {
        // Byte-at-a-time appends: array literals here would allocate per row (thousands of rows).
        if pretty { out.append(32); out.append(32) }
        out.append(UInt8(ascii: "{"))
        for (i, (key, value)) in fields.enumerated() {
            if i > 0 { out.append(44) }
            if pretty { out.append(10); out.append(32); out.append(32); out.append(32); out.append(32) }
            out.append(34)
            key.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(34); if pretty { out.append(32) }
            out.append(58); if pretty { out.append(32) }
            Self.append(value, to: &out)
        }
        if pretty { out.append(10); out.append(32); out.append(32) }
        out.append(UInt8(ascii: "}"))
    }

    /// One line, as `--ndjson` prints it.
    public var compact: String {
        var b: [UInt8] = []; write(to: &b, pretty: false); return String(decoding: b, as: UTF8.self)
    }

    public static func array(_ rows: [FlatJSON]) -> String {
        var out: [UInt8] = Array("[\n".utf8)
        out.reserveCapacity(rows.count * 240)
        for (i, r) in rows.enumerated() {
            if i > 0 { out.append(contentsOf: [44, 10]) }
            r.write(to: &out, pretty: true)
        }
        out.append(contentsOf: Array("\n]\n".utf8))
        return String(decoding: out, as: UTF8.self)
    }

    public static func lines(_ rows: [FlatJSON]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * 180)
        for r in rows { r.write(to: &out, pretty: false); out.append(10) }
        return String(decoding: out, as: UTF8.self)
    }
}

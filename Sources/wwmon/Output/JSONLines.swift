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

/// A JSON value as the strict parser below produces it.
///
/// Objects keep their members in file order; numbers keep their exact text, so an offset like
/// 18446744073709551615 is judged exactly rather than through a lossy Double.
enum JSONValue {
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// The value as a non-negative integer, if it is written as one (no sign, fraction or exponent).
    var unsignedInteger: UInt64? {
        guard case .number(let text) = self, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return nil
        }
        return UInt64(text)  // nil on overflow
    }

    var kindName: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number(let t): "the number \(t.prefix(40))"
        case .bool(let b): "\(b)"
        case .null: "null"
        }
    }
}

struct JSONMember {
    var key: String
    var value: JSONValue
}

struct JSONSyntaxError: Error {
    var message: String
    var offset: Int
    /// Set when the error is a key given twice in one object.
    var duplicateKey: String? = nil
}

/// A strict RFC 8259 parser for checkpoint headers and index files.
///
/// Hand-written rather than JSONSerialization because wwmon must (1) reject duplicate keys —
/// JSONSerialization silently keeps one of them, which would hide a tensor name given twice in a
/// safetensors header or a weight name mapped to two shards; (2) judge offsets and shapes as exact
/// unsigned 64-bit integers, while NSNumber conversions vary by platform and lose precision past
/// 2^53; (3) bound nesting depth on untrusted input. Duplicates are compared as Swift Strings
/// (canonical equivalence), so two keys differing only in Unicode normalisation also count as
/// duplicates: they could not both live in a String-keyed map anyway.
struct StrictJSONParser {
    static let maxDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var pos = 0
    private let pythonNonFinite: Bool

    private init(_ bytes: UnsafeBufferPointer<UInt8>, pythonNonFinite: Bool) {
        self.bytes = bytes; self.pythonNonFinite = pythonNonFinite
    }

    /// Parses one JSON value; only whitespace may surround it. `pythonNonFinite` accepts the
    /// `NaN`, `Infinity` and `-Infinity` Python's json module writes (HF trainer_state.json holds
    /// them when a loss diverges) and reads them as null: no caller keeps a non-finite number.
    static func parse(_ data: [UInt8], pythonNonFinite: Bool = false) throws -> JSONValue {
        try data.withUnsafeBufferPointer { buf in
            var p = StrictJSONParser(buf, pythonNonFinite: pythonNonFinite)
            p.skipWhitespace()
            let v = try p.value(depth: 0)
            p.skipWhitespace()
            if p.pos != buf.count {
                throw JSONSyntaxError(message: "unexpected \(p.describeByte()) after the JSON value", offset: p.pos)
            }
            return v
        }
    }

    private func describeByte() -> String {
        guard pos < bytes.count else { return "end of input" }
        let b = bytes[pos]
        if b >= 0x21 && b < 0x7f { return "character '\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16))"
    }

    private func fail(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: pos) }

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0a, 0x0d: pos += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws -> JSONValue {
        guard pos < bytes.count else { throw fail("unexpected end of input, expected a value") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "N") where pythonNonFinite: try literal("NaN"); return .null
        case UInt8(ascii: "I") where pythonNonFinite: try literal("Infinity"); return .null
        case UInt8(ascii: "-") where pythonNonFinite && pos + 1 < bytes.count && bytes[pos + 1] == UInt8(ascii: "I"):
            pos += 1; try literal("Infinity"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("unexpected \(describeByte()), expected a value")
        }
    }

    private mutating func literal(_ word: String) throws {
        for c in word.utf8 {
            guard pos < bytes.count, bytes[pos] == c else { throw fail("invalid literal, expected \(word)") }
            pos += 1
        }
    }

    private mutating func object(depth: Int) throws -> JSONValue {
        guard depth <= Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth) levels") }
        pos += 1  // {
        var members: [JSONMember] = []
        var seen = Set<String>()
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
                throw fail("unexpected \(describeByte()), expected a quoted key")
            }
            let keyStart = pos
            let key = try string()
            guard seen.insert(key).inserted else {
                throw JSONSyntaxError(message: "duplicate key \(quoted(key))", offset: keyStart, duplicateKey: key)
            }
            skipWhitespace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else {
                throw fail("unexpected \(describeByte()), expected ':' after a key")
            }
            pos += 1
            skipWhitespace()
            members.append(JSONMember(key: key, value: try value(depth: depth)))
            skipWhitespace()
            guard pos < bytes.count else { throw fail("unexpected end of input inside an object") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
            throw fail("unexpected \(describeByte()), expected ',' or '}'")
        }
    }

    private mutating func array(depth: Int) throws -> JSONValue {
        guard depth <= Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth) levels") }
        pos += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth))
            skipWhitespace()
            guard pos < bytes.count else { throw fail("unexpected end of input inside an array") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            throw fail("unexpected \(describeByte()), expected ',' or ']'")
        }
    }

    private mutating func number() throws -> String {
        let start = pos
        func digits() -> Int {
            let s = pos
            while pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 { pos += 1 }
            return pos - s
        }
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 else { throw fail("invalid number") }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 {
                throw fail("invalid number (leading zero)")
            }
        } else {
            _ = digits()
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard digits() > 0 else { throw fail("invalid number (no digits after '.')") }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard digits() > 0 else { throw fail("invalid number (no digits in exponent)") }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
    }

    private mutating func hex4() throws -> UInt32 {
        guard pos + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[pos]
            let d: UInt8
            switch b {
            case 0x30...0x39: d = b - 0x30
            case 0x41...0x46: d = b - 0x41 + 10
            case 0x61...0x66: d = b - 0x61 + 10
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }

    /// A string literal; raw bytes must be valid UTF-8 and contain no control characters.
    private mutating func string() throws -> String {
        let start = pos
        pos += 1  // opening quote
        var out: [UInt8] = []
        var runStart = pos
        while true {
            guard pos < bytes.count else {
                throw JSONSyntaxError(message: "unterminated string", offset: start)
            }
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<pos]))
                pos += 1
                break
            }
            if b < 0x20 { throw fail("control character 0x\(String(b, radix: 16)) inside a string") }
            if b != UInt8(ascii: "\\") { pos += 1; continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<pos]))
            pos += 1
            guard pos < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5c)
            case UInt8(ascii: "/"): out.append(0x2f)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard pos + 2 <= bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u")
                    else { throw fail("unpaired surrogate in \\u escape") }
                    pos += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate in \\u escape") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(code) {
                    throw fail("unpaired surrogate in \\u escape")
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(code)!)).utf8))
            default:
                throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
            }
            runStart = pos
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw JSONSyntaxError(message: "string is not valid UTF-8", offset: start)
        }
        return s
    }
}

/// The header of a `.npy` array (numpy/lib/_format_impl.py): magic, version, and a Python
/// dict literal read with a small literal parser (never an evaluator).
struct NpyHeader: Equatable {
    let dtype: DType
    let bigEndian: Bool
    let shape: [Int]
    let fortranOrder: Bool
    /// Bytes from the start of the array record to its first data byte.
    let dataStart: Int

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// numpy refuses headers over 10,000 bytes by default; allow more, but stay bounded.
    static let maxHeaderBytes = 1 << 20

    enum Problem: Error { case unsupported(String), invalid(String) }

    /// `prefix` holds at least the first 12 bytes of the record; returns how many header bytes
    /// are needed when it is too short.
    static func headerLength(_ prefix: [UInt8]) throws(Problem) -> Int {
        guard prefix.count >= 10, prefix.starts(with: magic) else { throw .invalid("no \\x93NUMPY magic") }
        let major = prefix[6]
        switch major {
        case 1: return 10 + (Int(prefix[8]) | Int(prefix[9]) << 8)
        case 2, 3:
            guard prefix.count >= 12 else { throw .invalid("header cut short") }
            let n = Int(prefix[8]) | Int(prefix[9]) << 8 | Int(prefix[10]) << 16 | Int(prefix[11]) << 24
            guard n <= maxHeaderBytes else { throw .invalid("header of \(n) bytes is too large") }
            return 12 + n
        default: throw .unsupported("npy format version \(major).\(prefix[7])")
        }
    }

    init(_ record: [UInt8]) throws(Problem) {
        let total = try Self.headerLength(record)
        guard record.count >= total else { throw .invalid("header cut short") }
        let start = record[6] == 1 ? 10 : 12
        let text = String(decoding: record[start..<total], as: UTF8.self)
        var parser = LiteralParser(text)
        guard case .dict(let items) = try parser.value() else { throw .invalid("header is not a dict literal") }
        var descr: String?, fortran: Bool?, shape: [Int]?
        for (k, v) in items {
            switch (k, v) {
            case ("descr", .string(let s)): descr = s
            case ("descr", _): throw .unsupported("structured dtype")
            case ("fortran_order", .bool(let b)): fortran = b
            case ("shape", .tuple(let dims)):
                var dimensions: [Int] = []
                for dim in dims {
                    guard case .int(let d) = dim, d >= 0 else { throw .invalid("shape holds a non-integer or negative value") }
                    dimensions.append(d)
                }
                shape = dimensions
            default: throw .invalid("unexpected header key '\(k)'")
            }
        }
        guard let descr, let fortran, let shape else { throw .invalid("header lacks descr, fortran_order or shape") }
        guard shape.count <= 64 else { throw .invalid("\(shape.count) dimensions") }
        (dtype, bigEndian) = try Self.parseDescr(descr)
        self.shape = shape
        self.fortranOrder = fortran
        self.dataStart = total
    }

    /// `<f4`, `>f8`, `|u1`, `=i2`, `<f2`, `|b1`; anything else (complex, object, void, datetime, strings) is unsupported.
    static func parseDescr(_ d: String) throws(Problem) -> (DType, Bool) {
        let chars = Array(d)
        guard chars.count >= 3, "<>|=".contains(chars[0]) else { throw .unsupported("dtype '\(d)'") }
        let big = chars[0] == ">"
        let type = String(chars[1...])
        let dtype: DType
        switch type {
        case "f2": dtype = .f16
        case "f4": dtype = .f32
        case "f8": dtype = .f64
        case "i1": dtype = .i8
        case "i2": dtype = .i16
        case "i4": dtype = .i32
        case "i8": dtype = .i64
        case "u1": dtype = .u8
        case "u2": dtype = .u16
        case "u4": dtype = .u32
        case "u8": dtype = .u64
        case "b1": dtype = .bool
        default: throw .unsupported("dtype '\(d)'")
        }
        return (dtype, big && dtype.size > 1)
    }
}

/// Python literals as they appear in an npy header.
enum Literal: Equatable {
    case string(String), int(Int), bool(Bool), none
    case tuple([Literal]), list([Literal]), dict([(String, Literal)])

    static func == (a: Literal, b: Literal) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.none, .none): true
        case (.tuple(let x), .tuple(let y)), (.list(let x), .list(let y)): x == y
        case (.dict(let x), .dict(let y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        default: false
        }
    }
}

struct LiteralParser {
    private let chars: [Character]
    private var i = 0
    private var depth = 0

    init(_ text: String) { chars = Array(text) }

    private mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

    mutating func value() throws(NpyHeader.Problem) -> Literal {
        skipSpace()
        guard i < chars.count else { throw .invalid("header ends early") }
        depth += 1
        defer { depth -= 1 }
        guard depth <= 16 else { throw .invalid("header nests too deeply") }
        let c = chars[i]
        switch c {
        case "'", "\"":
            i += 1
            var s = ""
            while i < chars.count, chars[i] != c {
                if chars[i] == "\\" { i += 1; guard i < chars.count else { break } }
                s.append(chars[i]); i += 1
            }
            guard i < chars.count else { throw .invalid("unterminated string in header") }
            i += 1
            return .string(s)
        case "(", "[":
            let close: Character = c == "(" ? ")" : "]"
            i += 1
            var items: [Literal] = []
            while true {
                skipSpace()
                guard i < chars.count else { throw .invalid("unterminated sequence in header") }
                if chars[i] == close { i += 1; break }
                items.append(try value())
                skipSpace()
                if i < chars.count, chars[i] == "," { i += 1 } else {
                    skipSpace()
                    guard i < chars.count, chars[i] == close else { throw .invalid("expected ',' or '\(close)' in header") }
                }
            }
            return c == "(" ? .tuple(items) : .list(items)
        case "{":
            i += 1
            var items: [(String, Literal)] = []
            while true {
                skipSpace()
                guard i < chars.count else { throw .invalid("unterminated dict in header") }
                if chars[i] == "}" { i += 1; break }
                guard case .string(let k) = try value() else { throw .invalid("non-string key in header") }
                skipSpace()
                guard i < chars.count, chars[i] == ":" else { throw .invalid("expected ':' in header") }
                i += 1
                items.append((k, try value()))
                skipSpace()
                if i < chars.count, chars[i] == "," { i += 1 }
            }
            return .dict(items)
        default:
            var word = ""
            while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "-" || chars[i] == "_" {
                word.append(chars[i]); i += 1
                guard word.count <= 32 else { throw .invalid("token too long in header") }
            }
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                // numpy writes shape ints plainly; Python 2 headers may carry an 'L' suffix.
                let digits = word.hasSuffix("L") ? String(word.dropLast()) : word
                guard let n = Int(digits) else { throw .invalid("unexpected token '\(word)' in header") }
                return .int(n)
            }
        }
    }
}

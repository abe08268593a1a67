import Logging

/// The journal's native protocol (systemd.io/JOURNAL_NATIVE_PROTOCOL): one datagram per record,
/// each field `NAME=value\n`, or, when the value holds a newline, `NAME\n` + the value's length as
/// a little-endian UInt64 + the value + `\n`.
public enum JournalFields {
    /// The journal field for a swift-log metadata key: `WWMON_` + the key upper-cased, every
    /// character outside A–Z, 0–9 turned into `_` (so dots become underscores), cut to the
    /// journal's 64 characters. `run` → `WWMON_RUN`, `checkpoint.path` → `WWMON_CHECKPOINT_PATH`.
    /// The prefix keeps metadata apart from the journal's own fields (MESSAGE, PRIORITY, ...) and
    /// makes every name start with a letter, as the journal requires.
    public static func name(forMetadataKey key: String) -> String {
        var out = "WWMON_"
        for u in key.uppercased().unicodeScalars {
            let ok = (u >= "A" && u <= "Z") || (u >= "0" && u <= "9")
            out.unicodeScalars.append(ok ? u : "_")
        }
        return String(out.prefix(64))
    }

    /// One record's datagram. `label` (the swift-log logger label) goes into SWIFT_LOG_LABEL.
    public static func datagram(message: String, priority: Int, identifier: String, label: String,
                                file: String, line: UInt, function: String,
                                metadata: Logger.Metadata) -> [UInt8] {
        var out: [UInt8] = []
        append("MESSAGE", message, to: &out)
        append("PRIORITY", String(priority), to: &out)
        append("SYSLOG_IDENTIFIER", identifier, to: &out)
        append("SWIFT_LOG_LABEL", label, to: &out)
        append("CODE_FILE", file, to: &out)
        append("CODE_LINE", String(line), to: &out)
        append("CODE_FUNC", function, to: &out)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            append(name(forMetadataKey: key), "\(value)", to: &out)
        }
        return out
    }

    static func append(_ name: String, _ value: String, to out: inout [UInt8]) {
        out += name.utf8
        let bytes = Array(value.utf8)
        if bytes.contains(UInt8(ascii: "\n")) {
            out.append(UInt8(ascii: "\n"))
            var n = UInt64(bytes.count).littleEndian
            withUnsafeBytes(of: &n) { out += $0 }
        } else {
            out.append(UInt8(ascii: "="))
        }
        out += bytes
        out.append(UInt8(ascii: "\n"))
    }

    /// Parses a datagram back into (name, value) pairs in order; nil if it is malformed. The
    /// inverse of `datagram`, for tests and for reading what was sent.
    public static func parse(_ bytes: [UInt8]) -> [(String, String)]? {
        var fields: [(String, String)] = []
        var i = 0
        while i < bytes.count {
            guard let end = bytes[i...].firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\n") }) else { return nil }
            let name = String(decoding: bytes[i..<end], as: UTF8.self)
            if bytes[end] == UInt8(ascii: "=") {
                guard let nl = bytes[(end + 1)...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                fields.append((name, String(decoding: bytes[(end + 1)..<nl], as: UTF8.self)))
                i = nl + 1
            } else {
                guard end + 9 <= bytes.count else { return nil }
                var n: UInt64 = 0
                for k in 0..<8 { n |= UInt64(bytes[end + 1 + k]) << (8 * UInt64(k)) }
                let start = end + 9
                guard n <= UInt64(bytes.count - start - 1), bytes[start + Int(n)] == UInt8(ascii: "\n") else { return nil }
                fields.append((name, String(decoding: bytes[start..<(start + Int(n))], as: UTF8.self)))
                i = start + Int(n) + 1
            }
        }
        return fields
    }
}

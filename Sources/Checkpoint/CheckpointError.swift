/// Why a checkpoint could not be read. Every case carries the path of the offending file, and
/// `description` is one sentence naming that file and the problem, fit for a log line or the CLI.
public enum CheckpointError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The path does not exist (or vanished while being read, e.g. checkpoint rotation).
    case notFound(path: String)
    /// An operating-system call failed (permission, I/O error, ...).
    case io(path: String, operation: String, errno: Int32)
    /// The bytes are not a format wwmon reads (or not yet).
    case unsupportedFormat(path: String, detail: String)
    /// The file is shorter than its own header says: still being written, or cut off.
    case truncated(path: String, detail: String)
    /// The header (or an index / metadata JSON file) is malformed or breaks the format's rules.
    case invalidHeader(path: String, detail: String)
    /// One tensor's entry is inconsistent (shape, offsets, byte count).
    case invalidTensor(path: String, name: String, detail: String)
    /// A dtype string wwmon does not know or cannot decode.
    case unsupportedDType(path: String, name: String, dtype: String)
    /// Bytes after the last tensor: the file is longer than its header accounts for.
    case trailingBytes(path: String, expected: UInt64, actual: UInt64)
    /// A sharded checkpoint whose index and shards disagree.
    case sharding(path: String, detail: String)
    /// The file changed between listing its tensors and reading one of them.
    case fileChanged(path: String, detail: String)
    /// A request the reader cannot serve for this tensor (e.g. widening an integer tensor).
    case unreadableTensor(path: String, name: String, detail: String)
    /// A well-formed file that holds no model weights: what frameworks write beside them
    /// (optimizer.pt, scheduler.pt, training_args.bin, rng_state.pth, scaler.pt,
    /// random_states_0.pkl). Not a checkpoint: callers skip it (a debug line), no error row.
    case noWeights(path: String, detail: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .notFound(let p), .io(let p, _, _), .unsupportedFormat(let p, _), .truncated(let p, _),
             .invalidHeader(let p, _), .invalidTensor(let p, _, _), .unsupportedDType(let p, _, _),
             .trailingBytes(let p, _, _), .sharding(let p, _), .fileChanged(let p, _),
             .unreadableTensor(let p, _, _), .noWeights(let p, _):
            return p
        }
    }

    /// One line: control characters from file contents or names are escaped (`\n`, `\x1b`), so
    /// a hostile file cannot forge log lines or send escape codes to a terminal.
    public var description: String { escapeControls(unescaped) }

    private var unescaped: String {
        switch self {
        case .notFound(let p):
            return "\(p): no such file or directory"
        case .io(let p, let op, let e):
            return "\(p): \(op) failed: \(errnoText(e)) (errno \(e))"
        case .unsupportedFormat(let p, let d):
            return "\(p): unsupported format: \(d)"
        case .truncated(let p, let d):
            return "\(p): truncated: \(d)"
        case .invalidHeader(let p, let d):
            return "\(p): invalid header: \(d)"
        case .invalidTensor(let p, let n, let d):
            return "\(p): invalid tensor \(quoted(n)): \(d)"
        case .unsupportedDType(let p, let n, let t):
            return "\(p): tensor \(quoted(n)) has unsupported dtype \(quoted(t))"
        case .trailingBytes(let p, let exp, let act):
            return "\(p): trailing bytes: header accounts for \(exp) bytes, file has \(act)"
        case .sharding(let p, let d):
            return "\(p): inconsistent sharded checkpoint: \(d)"
        case .fileChanged(let p, let d):
            return "\(p): file changed while reading: \(d)"
        case .unreadableTensor(let p, let n, let d):
            return "\(p): cannot read tensor \(quoted(n)): \(d)"
        case .noWeights(let p, let d):
            return "\(p): not a checkpoint, holds no model weights: \(d)"
        }
    }
}

/// Quotes a name for a message, cutting absurdly long ones (a fuzzed header may hold megabytes).
/// Control characters are escaped (`\n`, `\x1b`): a name from a file must not forge a log line or
/// reach a terminal as an escape code.
func quoted(_ s: String) -> String {
    let limit = 200
    if s.utf8.count <= limit { return "\"\(escapeControls(s))\"" }
    return "\"\(escapeControls(String(decoding: s.utf8.prefix(limit), as: UTF8.self)))…\" (\(s.utf8.count) bytes)"
}

func escapeControls(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
        if u.value < 0x20 || (0x7f...0x9f).contains(u.value) {
            switch u {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out += "\\x" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16)
            }
        } else {
            out.unicodeScalars.append(u)
        }
    }
    return out
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func errnoText(_ e: Int32) -> String {
    guard let c = strerror(e) else { return "error" }
    return String(cString: c)
}

extension CheckpointError {
    /// Errors that can heal without the file's bytes changing: permissions fixed with chmod, an
    /// I/O error of a flaky disk or network filesystem, descriptors or memory briefly exhausted.
    /// The daemon retries these with backoff instead of recording them for good (issue 10, point 6).
    public var isTransient: Bool {
        guard case .io(_, _, let e) = self else { return false }
        return [EACCES, EPERM, EIO, EAGAIN, EINTR, EMFILE, ENFILE, ENOMEM, ESTALE, ETIMEDOUT, EBUSY].contains(e)
    }
}

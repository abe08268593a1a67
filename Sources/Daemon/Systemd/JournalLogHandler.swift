import Glibc
import Logging

/// swift-log handler writing one line per message to stderr. When stderr is the journal
/// (`$JOURNAL_STREAM` names stderr's device:inode) each line gets a `<N>` syslog priority prefix
/// and no timestamp (journald adds both); otherwise plain text with a timestamp.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let journal: Bool
    private let limiter: LogRateLimiter?

    public init(label: String, journal: Bool, limiter: LogRateLimiter? = nil) {
        self.label = label; self.journal = journal; self.limiter = limiter
    }

    /// A factory for `LoggingSystem.bootstrap` that detects the journal once.
    public static func factory(environment: [String: String]) -> @Sendable (String) -> any LogHandler {
        let journal = stderrIsJournal(environment["JOURNAL_STREAM"])
        let limiter = LogRateLimiter()
        return { JournalLogHandler(label: $0, journal: journal, limiter: limiter) }
    }

    /// `JOURNAL_STREAM=<dev>:<inode>` must match fstat(2) of fd 2 (sd-daemon(3)).
    public static func stderrIsJournal(_ value: String?) -> Bool {
        guard let v = value else { return false }
        let parts = v.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let meta = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        // Escaped: names from files must not forge lines or send escape codes (LogSafety.swift).
        var text = LogText.escape("\(event.message)\(meta)")
        if let limiter {
            let (emit, dropped) = limiter.admit("\(event.level) \(label) \(text)")
            guard emit else { return }
            if dropped > 0 { text += " (… repeated \(dropped) more times, not shown)" }
        }
        let line: String
        if journal {
            line = "<\(Self.priority(event.level))>\(text)\n"
        } else {
            line = "\(Self.timestamp()) \(event.level) \(label): \(text)\n"
        }
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    static func timestamp() -> String {
        var ts = timespec(); clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec); var tmv = tm(); gmtime_r(&t, &tmv)
        var buf = [CChar](repeating: 0, count: 32)
        strftime(&buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv)
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import Glibc
import Logging

/// swift-log handler for a daemon under systemd.
///
/// - Under journald (`$JOURNAL_STREAM` names stderr) with the journal socket present, every record
///   is one datagram of the journal's native protocol (JournalFields.swift): MESSAGE, PRIORITY,
///   SYSLOG_IDENTIFIER, CODE_FILE/LINE/FUNC, and each metadata key as its own field named by
///   `JournalFields.name(forMetadataKey:)` — metadata `run` becomes `WWMON_RUN`, so
///   `journalctl -u wwmon WWMON_RUN=bert-lr3e-4` selects one run's messages.
/// - Under journald without the socket (or when a datagram cannot be sent): one line on stderr
///   with a `<N>` syslog priority prefix and no timestamp (journald adds both).
/// - Otherwise (a terminal): plain text lines on stderr with a timestamp.
///
/// Hand-written because swift-log ships only a stream handler; none of the listed packages
/// speaks the journal protocol.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let output: Output
    /// Shared by every handler of one factory: repeated identical lines cut (LogSafety.swift).
    private let limiter: LogRateLimiter?

    /// Where records go; decided once per process by `factory`.
    public enum Output: Sendable {
        /// Native protocol datagrams; `fallbackFD` gets `<N>` lines when a send fails.
        case journal(JournalSocket, fallbackFD: Int32)
        /// `<N>`-prefixed lines (stderr read by journald).
        case priorityLines(fd: Int32)
        /// Timestamped text lines (a terminal).
        case plain(fd: Int32)
    }

    public init(label: String, output: Output, metadataProvider: Logger.MetadataProvider? = nil,
                limiter: LogRateLimiter? = nil) {
        self.label = label
        self.output = output
        self.metadataProvider = metadataProvider
        self.limiter = limiter
    }

    /// The default journal socket (systemd.journal-fields(7), sd_journal_sendv(3)).
    public static let journalSocketPath = "/run/systemd/journal/socket"

    /// Picks the output once: journal datagrams under journald when the socket exists, `<N>` lines
    /// under journald without it, plain lines otherwise. For `LoggingSystem.bootstrap(_:metadataProvider:)`.
    public static func factory(environment: [String: String], socketPath: String = journalSocketPath,
                               level: Logger.Level = .info)
        -> @Sendable (String, Logger.MetadataProvider?) -> any LogHandler {
        let output = chooseOutput(journalStream: environment["JOURNAL_STREAM"], socketPath: socketPath)
        let limiter = LogRateLimiter()
        return { label, provider in
            var h = JournalLogHandler(label: label, output: output, metadataProvider: provider, limiter: limiter)
            h.logLevel = level
            return h
        }
    }

    static func chooseOutput(journalStream: String?, socketPath: String) -> Output {
        guard stderrIsJournal(journalStream) else { return .plain(fd: 2) }
        if let socket = JournalSocket(path: socketPath) { return .journal(socket, fallbackFD: 2) }
        return .priorityLines(fd: 2)
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

    /// syslog(3) priorities, as journald and `<N>` prefixes use them.
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

    /// Handler metadata, then the provider's (task-local context), then the call's own: later wins.
    func mergedMetadata(_ event: LogEvent) -> Logger.Metadata {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        return merged
    }

    public func log(event: LogEvent) {
        let merged = mergedMetadata(event)
        // Names from files must not forge lines or send escape codes (LogSafety.swift), and a
        // line repeated many times a second (a full disk) is cut to a burst and counted.
        var message = LogText.escape("\(event.message)")
        if let limiter {
            let meta = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let (emit, dropped) = limiter.admit("\(event.level) \(label) \(message) \(meta)")
            guard emit else { return }
            if dropped > 0 { message += " (… repeated \(dropped) more times, not shown)" }
        }
        var event = event
        event.message = "\(message)"
        switch output {
        case .journal(let socket, let fallback):
            let datagram = JournalFields.datagram(
                message: "\(event.message)", priority: Self.priority(event.level), identifier: "wwmon",
                label: label, file: event.file, line: event.line, function: event.function, metadata: merged)
            if !socket.send(datagram) { writeLine(fd: fallback, journal: true, event, merged) }
        case .priorityLines(let fd):
            writeLine(fd: fd, journal: true, event, merged)
        case .plain(let fd):
            writeLine(fd: fd, journal: false, event, merged)
        }
    }

    private func writeLine(fd: Int32, journal: Bool, _ event: LogEvent, _ merged: Logger.Metadata) {
        let meta = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let text = LogText.escape("\(event.message)\(meta)")
        let line = journal ? "<\(Self.priority(event.level))>\(text)\n"
                           : "\(Self.timestamp()) \(event.level) \(label): \(text)\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { b in
            var off = 0
            while off < b.count {
                let n = write(fd, b.baseAddress! + off, b.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                off += n
            }
        }
    }

    static func timestamp() -> String {
        var ts = timespec(); clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec); var tmv = tm(); gmtime_r(&t, &tmv)
        var buf = [CChar](repeating: 0, count: 32)
        strftime(&buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv)
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

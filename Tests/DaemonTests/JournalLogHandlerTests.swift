import Foundation
import Glibc
import Logging
import Testing
@testable import Daemon

/// The journald handler speaks the journal's native protocol to a real AF_UNIX datagram socket
/// (bound here in a temp folder, standing in for /run/systemd/journal/socket) and falls back to
/// `<N>` lines when it cannot.
@Suite("JournalLogHandler: native journal protocol")
struct JournalLogHandlerTests {
    /// A bound datagram socket that receives what the handler sends.
    final class FakeJournal {
        let dir: TempDir
        let path: String
        let fd: Int32
        init() throws {
            dir = try TempDir("wwmon-journal")
            path = dir.sub("journal.socket")
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_un(); addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard rc == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            // A generous receive deadline: a missing datagram fails the test instead of hanging it.
            var tv = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        deinit { close(fd); dir.cleanup() }

        func receive() -> [(String, String)]? {
            var buf = [UInt8](repeating: 0, count: 65536)
            let n = recv(fd, &buf, buf.count, 0)
            guard n > 0 else { return nil }
            return JournalFields.parse(Array(buf[..<n]))
        }
    }

    static func field(_ fields: [(String, String)], _ name: String) -> String? {
        fields.first { $0.0 == name }?.1
    }

    @Test("a record is one datagram: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, CODE_*, metadata as WWMON_ fields")
    func structuredFields() throws {
        let journal = try FakeJournal()
        let socket = try #require(JournalSocket(path: journal.path))
        let handler = JournalLogHandler(label: "wwmon.daemon", output: .journal(socket, fallbackFD: -1))
        let logger = Logger(label: "wwmon.daemon") { _ in handler }
        logger.warning("recorded", metadata: ["run": "bert-lr3e-4", "checkpoint.path": "/data/ckpt/step_10", "step": "10"])
        let fields = try #require(journal.receive())
        #expect(Self.field(fields, "MESSAGE") == "recorded")
        #expect(Self.field(fields, "PRIORITY") == "4")
        #expect(Self.field(fields, "SYSLOG_IDENTIFIER") == "wwmon")
        #expect(Self.field(fields, "SWIFT_LOG_LABEL") == "wwmon.daemon")
        #expect(Self.field(fields, "WWMON_RUN") == "bert-lr3e-4")
        #expect(Self.field(fields, "WWMON_CHECKPOINT_PATH") == "/data/ckpt/step_10")
        #expect(Self.field(fields, "WWMON_STEP") == "10")
        #expect(Self.field(fields, "CODE_FILE")?.hasSuffix("JournalLogHandlerTests.swift") == true)
        #expect(Self.field(fields, "CODE_LINE").flatMap(Int.init) != nil)
        #expect(Self.field(fields, "CODE_FUNC")?.contains("structuredFields") == true)
    }

    @Test("a value with a newline is sent length-prefixed and arrives whole")
    func multilineValue() throws {
        let journal = try FakeJournal()
        let socket = try #require(JournalSocket(path: journal.path))
        let logger = Logger(label: "t") { _ in JournalLogHandler(label: "t", output: .journal(socket, fallbackFD: -1)) }
        logger.error("analysis failed", metadata: ["reason": "line one\nline two=x"])
        let fields = try #require(journal.receive())
        #expect(Self.field(fields, "WWMON_REASON") == "line one\nline two=x")
        #expect(Self.field(fields, "PRIORITY") == "3")
    }

    @Test("metadataProvider's fields are sent; the call's own metadata wins on a clash")
    func metadataProviderHonoured() throws {
        let journal = try FakeJournal()
        let socket = try #require(JournalSocket(path: journal.path))
        let provider = Logger.MetadataProvider { ["run": "from-provider", "request": "42"] }
        let logger = Logger(label: "t") { _ in
            JournalLogHandler(label: "t", output: .journal(socket, fallbackFD: -1), metadataProvider: provider)
        }
        logger.info("one")
        let first = try #require(journal.receive())
        #expect(Self.field(first, "WWMON_RUN") == "from-provider")
        #expect(Self.field(first, "WWMON_REQUEST") == "42")
        logger.info("two", metadata: ["run": "own"])
        let second = try #require(journal.receive())
        #expect(Self.field(second, "WWMON_RUN") == "own")
    }

    @Test("metadata keys become journal field names: WWMON_ + upper case, non-alphanumerics to _, at most 64")
    func fieldNames() {
        #expect(JournalFields.name(forMetadataKey: "run") == "WWMON_RUN")
        #expect(JournalFields.name(forMetadataKey: "checkpoint.path") == "WWMON_CHECKPOINT_PATH")
        #expect(JournalFields.name(forMetadataKey: "db-path é") == "WWMON_DB_PATH__")
        #expect(JournalFields.name(forMetadataKey: String(repeating: "k", count: 100)).count == 64)
    }

    @Test("when the journal cannot be reached the record goes to the fallback fd as a <N> line")
    func fallsBackToPriorityLines() throws {
        let journal = try FakeJournal()
        let socket = try #require(JournalSocket(path: journal.path))
        unlink(journal.path)                      // journald gone after start-up
        var pipeFDs: [Int32] = [0, 0]
        #expect(pipe(&pipeFDs) == 0)
        defer { close(pipeFDs[0]) }
        let logger = Logger(label: "t") { _ in JournalLogHandler(label: "t", output: .journal(socket, fallbackFD: pipeFDs[1])) }
        logger.warning("watch root is gone", metadata: ["root": "/data"])
        close(pipeFDs[1])
        let text = String(decoding: FileHandle(fileDescriptor: pipeFDs[0]).readDataToEndOfFile(), as: UTF8.self)
        #expect(text == "<4>watch root is gone root=/data\n")
    }

    @Test("output choice: journal datagrams only under journald with the socket present")
    func outputChoice() throws {
        var st = stat()
        #expect(fstat(2, &st) == 0)
        let stream = "\(st.st_dev):\(st.st_ino)"       // what systemd would put in JOURNAL_STREAM
        let journal = try FakeJournal()
        if case .journal = JournalLogHandler.chooseOutput(journalStream: stream, socketPath: journal.path) {} else {
            Issue.record("journald + socket: expected native datagrams")
        }
        if case .priorityLines = JournalLogHandler.chooseOutput(journalStream: stream, socketPath: journal.dir.sub("absent")) {} else {
            Issue.record("journald without socket: expected <N> lines")
        }
        if case .plain = JournalLogHandler.chooseOutput(journalStream: nil, socketPath: journal.path) {} else {
            Issue.record("no journald: expected plain lines")
        }
        if case .plain = JournalLogHandler.chooseOutput(journalStream: "1:2", socketPath: journal.path) {} else {
            Issue.record("JOURNAL_STREAM of another file: expected plain lines")
        }
    }
}

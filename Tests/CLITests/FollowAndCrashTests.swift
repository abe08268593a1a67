#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GRDB
import Store
import Testing

@Suite("Live readers and crash safety, across processes")
struct FollowAndCrashTests {
    @Test("history --follow streams the points of a checkpoint another process records afterwards")
    func follow() async throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("w.db").path
        let report = try StoreCLI.reportFile(dir, "c_mixed_f32__st").path
        let f1 = try StoreCLI.file(dir, "c1", bytes: 1), f2 = try StoreCLI.file(dir, "c2", bytes: 2)
        #expect(try StoreCLI.run(["ingest", f1, "--run", "live", "--step", "1", "--report", report, "--db", db]).status == 0)

        let p = Process()
        p.executableURL = StoreCLI.binary
        p.arguments = ["history", "live", "--summary", "--follow", "--interval", "0.1", "--db", db]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        defer { if p.isRunning { p.terminate() }; p.waitUntilExit() }
        // A safety net, not a timing assertion: if the point never comes, end the follower so
        // the reads below return nil and the test fails instead of hanging.
        let pid = p.processIdentifier
        let watchdog = Task.detached { try await Task.sleep(for: .seconds(120)); kill(pid, SIGTERM) }
        defer { watchdog.cancel() }
        let lines = LineReader(out.fileHandleForReading)
        let initial = try #require(await lines.next(), "the existing points come first")
        #expect(initial.contains("\"step\":1"))
        #expect(await lines.next()?.contains("\"step\":1") == true)   // alpha and alpha_weighted

        #expect(try StoreCLI.run(["ingest", f2, "--run", "live", "--step", "2", "--report", report, "--db", db]).status == 0)
        let new = try #require(await lines.next(), "a point for the new checkpoint")
        #expect(new.contains("\"step\":2") && new.contains("\"layer\":null"))
    }

    /// Reads lines from a pipe on a background thread (the child may be slow to write).
    final class LineReader: @unchecked Sendable {
        // Only touched from `next()`, which tests call sequentially.
        private var buffer = Data()
        private let handle: FileHandle
        init(_ handle: FileHandle) { self.handle = handle }
        func next() async -> String? {
            while true {
                if let nl = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                    buffer = Data(buffer[(nl + 1)...])
                    return line
                }
                let handle = self.handle
                let chunk = await Task.detached { handle.availableData }.value
                if chunk.isEmpty { return nil }
                buffer.append(chunk)
            }
        }
    }

    static func size(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    @Test("kill -9 of a writer at random moments, repeatedly, leaves every checkpoint all-or-nothing")
    func crashSafety() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("w.db").path
        // A big checkpoint (7 × 600 = 4,200 layer rows) keeps the write transaction open for a
        // good part of the process's ~0.5 s life, so random kills land before, inside and after it.
        let report = try StoreCLI.reportFile(dir, "c_mixed_f32__st", copies: 600).path
        let rowsPerCheckpoint = 4200
        var rng = SystemRandomNumberGenerator()
        var killed = 0, finished = 0
        for i in 0..<16 {
            let f = try StoreCLI.file(dir, "ck-\(i)", bytes: i + 1)
            let p = Process()
            p.executableURL = StoreCLI.binary
            p.arguments = ["ingest", f, "--run", "crash", "--step", "\(i)", "--report", report, "--db", db]
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            if i % 2 == 1 {
                // Even rounds leave a crashed WAL for the next writer process to recover; odd
                // rounds start from an empty WAL (a writer's clean close checkpoints and removes
                // it) so its size says when this writer is mid-commit.
                do { _ = try HistoryStore(path: db) }
                #expect(Self.size(db + "-wal") == 0)
            }
            try p.run()
            if i % 2 == 0 {
                usleep(UInt32.random(in: 100_000...700_000, using: &rng))
            } else {
                // Aim at the commit itself: the WAL is removed when the last connection closes,
                // so it grows from empty; past 256 KiB the writer is flushing this checkpoint's
                // ~1.5 MB of pages, and the kill lands before or after its commit frame.
                while p.isRunning && Self.size(db + "-wal") <= 256 * 1024 { usleep(50) }
            }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            if p.terminationReason == .uncaughtSignal { killed += 1 } else { finished += 1 }

            // After every kill: the file opens, is intact, and each checkpoint is whole.
            let store = try HistoryStore(path: db, readOnly: true)
            let (integrity, torn) = try store.read { db in
                (try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                 try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM checkpoints c
                    WHERE (SELECT count(*) FROM layer_metrics WHERE checkpoint_id = c.id) != ?
                       OR NOT EXISTS (SELECT 1 FROM summaries WHERE checkpoint_id = c.id)
                    """, arguments: [rowsPerCheckpoint]))
            }
            #expect(integrity == "ok")
            #expect(torn == 0, "a checkpoint was recorded partially after kill \(i)")
        }
        // The writer after a crash recovers the WAL and goes on: one more full ingest succeeds.
        let f = try StoreCLI.file(dir, "ck-final", bytes: 99)
        let last = try StoreCLI.run(["ingest", f, "--run", "crash", "--step", "99", "--report", report, "--db", db])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(killed > 0, "no kill landed (\(finished) finished)")
        let count = try HistoryStore(path: db, readOnly: true).checkpoints(run: "crash").count
        // Every ingest that exited normally was kept; killed ones may have committed just before.
        #expect(count >= finished + 1, "completed ingests were kept")
    }
}

import Foundation
import Glibc
import Testing
@testable import Daemon

/// Issue 10: what a folder can do to the daemon's scanning, readiness and logs.
@Suite("Reliability: symlinks, FIFOs, retries, log safety")
struct ReliabilityTests {
    static func scan(_ run: String, root: String, outside: Bool = false) -> [String] {
        CheckpointLayout.scan(runDir: run, run: "r", root: root, patterns: WatchSettings.defaultPatterns,
                              maxDepth: 3, symlinksOutsideRoot: outside).map(\.path).sorted()
    }

    /// `dirloop -> .` once recorded every checkpoint 4 times, and a link to `/` made the daemon
    /// analyse /bin and other users' /tmp: directory symlinks are not followed at all.
    @Test func directorySymlinksAreNeverFollowed() throws {
        let d = try TempDir(); defer { d.cleanup() }
        let run = d.sub("run")
        try writeSafetensors(run + "/step_100.safetensors")
        try writeSafetensors(run + "/sub/step_200.safetensors")
        #expect(symlink(".", run + "/dirloop") == 0)
        #expect(symlink("/", run + "/slash") == 0)
        #expect(symlink(run + "/sub", run + "/sub-link") == 0)
        #expect(Self.scan(run, root: run) == [run + "/step_100.safetensors", run + "/sub/step_200.safetensors"])
    }

    /// A file symlink to a file of the same run stays a candidate (the store records it as an
    /// alias of its target's point, FrameworkReplayTests' lightning-last-link); one pointing
    /// outside the watched root is refused unless `symlinks_outside_root = true`.
    @Test func fileSymlinksAreAnalysedOnceAndStayInsideTheRoot() throws {
        let d = try TempDir(); defer { d.cleanup() }
        let run = d.sub("run"), outside = d.sub("elsewhere/secret.safetensors")
        try writeSafetensors(run + "/step_100.safetensors")
        try writeSafetensors(outside)
        #expect(symlink(run + "/step_100.safetensors", run + "/last.safetensors") == 0)
        #expect(symlink(outside, run + "/stolen.safetensors") == 0)
        #expect(Self.scan(run, root: run) == [run + "/last.safetensors", run + "/step_100.safetensors"])
        #expect(Self.scan(run, root: run, outside: true)
                == [run + "/last.safetensors", run + "/step_100.safetensors", run + "/stolen.safetensors"])
    }

    /// A FIFO named trainer_state.json (or a FIFO shard named by an index) once blocked the main
    /// loop in open(); now the look returns at once (the open is O_NONBLOCK and fstat refuses it).
    @Test func fifoSideFilesDoNotBlockReadiness() throws {
        let d = try TempDir(); defer { d.cleanup() }
        let ckpt = d.sub("run/checkpoint-100")
        try writeSafetensors(ckpt + "/model.safetensors")
        #expect(mkfifo(ckpt + "/trainer_state.json", 0o644) == 0)
        let index = #"{"metadata":{},"weight_map":{"a.weight":"model-00001-of-00001.safetensors"}}"#
        try writeText(d.sub("run/sharded/model.safetensors.index.json"), index)
        #expect(mkfifo(d.sub("run/sharded/model-00001-of-00001.safetensors"), 0o644) == 0)
        let found = CheckpointLayout.scan(runDir: d.sub("run"), run: "r", root: d.sub("run"),
                                          patterns: WatchSettings.defaultPatterns, maxDepth: 3)
        #expect(found.count == 2)
        // Returning at all is the point: a blocked open would hang this test. The FIFO
        // trainer_state.json keeps its checkpoint incomplete (it becomes an error after
        // incomplete_error_seconds); the FIFO shard is left to the analysis to refuse by name.
        for c in found {
            let state = c.completeness()
            if c.path.hasSuffix("checkpoint-100") {
                #expect(state == .incomplete(ckpt + "/trainer_state.json: not a readable regular file"))
            }
        }
    }

    @Test func retryBackoffDoublesUpToTenMinutesAndResets() {
        var r = RetryPolicy()
        #expect(r.failed("/a") == .seconds(5))
        #expect(r.failed("/a") == .seconds(10))
        #expect(r.failed("/a") == .seconds(20))
        for _ in 0..<20 { _ = r.failed("/a") }
        #expect(r.failed("/a") == .seconds(600))
        #expect(r.failed("/b") == .seconds(5))
        r.succeeded("/a")
        #expect(r.failed("/a") == .seconds(5))
    }

    /// A pickle global with a newline and escape codes must not forge log lines.
    @Test func controlCharactersAreEscapedInLogText() {
        #expect(LogText.escape("evil\nFAKE LINE \u{1b}[31mred\u{7}") == "evil\\nFAKE LINE \\x1b[31mred\\x07")
        #expect(LogText.escape("plain ünïcode") == "plain ünïcode")
        #expect(LogText.escape("a\u{2028}b") == "a\\u{2028}b")
    }

    /// The same line 1,200 times in one window: 5 written, then one line saying how many were not.
    @Test func repeatedLinesAreRateLimited() {
        let l = LogRateLimiter(burst: 5, window: 10)
        var emitted = 0
        for i in 0..<1200 where l.admit("disk full", now: 1000 + Double(i) * 0.001).emit { emitted += 1 }
        #expect(emitted == 5)
        #expect(l.admit("another line", now: 1001).emit)
        let after = l.admit("disk full", now: 1011)
        #expect(after.emit && after.droppedBefore == 1195)
    }
}

import Foundation
import Store
import Testing
@testable import Alerts

/// Issue 10, point 7 and 9: hook events survive a crash between the alert and its hook (an
/// outbox written with the alert), a hook's output is capped, a missing executable says why.
@Suite struct HookOutboxTests {
    /// What a kill -9 after the alert's transaction and before the hook ran leaves behind: the
    /// transition and its outbox rows committed, no hook run. (The daemon-level kill -9 test is
    /// CLITests' ReliabilityProcessTests.) A fresh pipeline — the restarted daemon — delivers
    /// the event, with its event id, and marks it sent; a second pass delivers nothing.
    @Test func eventsLeftUnsentByACrashAreDeliveredAfterRestart() async throws {
        let dir = try scratchDir()
        let store = try HistoryStore(path: dir.appendingPathComponent("wwmon.db").path)
        let backend = HistoryAlertStore(store: store)
        let hook = HookConfig(name: "keep", command: ["/bin/sh", "-c", #"printf '%s\n' "$WWMON_EVENT_ID" >> "$1/ids""#, "sh", dir.path])
        let owed = try await backend.record([event(layer: "a"), event(layer: "b")], for: [hook])
        #expect(owed.count == 2 && Set(owed.map(\.id)).count == 2)
        #expect(try await backend.unsentDeliveries().map(\.id) == owed.map(\.id))

        let restarted = AlertPipeline(settings: RuleSettings(), store: backend,
                                      dispatcher: HookDispatcher(hooks: [hook], options: HookRunnerOptions(maxBatch: 1), sink: backend))
        try await restarted.redeliverUnsent()
        await restarted.dispatcher.idle()
        let ids = try String(contentsOf: dir.appendingPathComponent("ids"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(ids == owed.map { String($0.id) })
        #expect(try await backend.unsentDeliveries().isEmpty)
        try await restarted.redeliverUnsent()
        await restarted.dispatcher.idle()
        #expect(try backend.hookRuns().count == 2)
    }

    /// Marked sent only once the hook ran: while it runs the entry is still owed.
    @Test func anEntryIsUnsentWhileItsHookRuns() async throws {
        let dir = try scratchDir()
        let store = try HistoryStore(path: dir.appendingPathComponent("wwmon.db").path)
        let backend = HistoryAlertStore(store: store)
        let started = dir.appendingPathComponent("started").path
        let hook = HookConfig(name: "slow", command: ["/bin/sh", "-c", #"touch "$1"; sleep 2"#, "sh", started])
        let d = HookDispatcher(hooks: [hook], sink: backend)
        let pipeline = AlertPipeline(settings: RuleSettings(), store: backend, dispatcher: d)
        let owed = try await backend.record([event()], for: [hook])
        await d.deliver(owed)
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: started) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try await backend.unsentDeliveries().map(\.id) == owed.map(\.id))
        // A redelivery pass meanwhile does not queue it twice.
        try await pipeline.redeliverUnsent()
        await d.idle()
        #expect(try await backend.unsentDeliveries().isEmpty)
        #expect(try backend.hookRuns().count == 1)
    }

    /// One hook writing to stdout without end once filled 3 GiB of temp file in 4 s: now 64 KiB
    /// are kept, the rest is read, counted and dropped, and the timeout still ends it.
    @Test func endlessOutputIsCapped() async throws {
        let hook = HookConfig(name: "yes", command: ["/usr/bin/yes", "spam"], timeoutSeconds: 2)
        let sink = RecordingSink()
        let d = HookDispatcher(hooks: [hook], options: HookRunnerOptions(killGraceSeconds: 0.2), sink: sink)
        await d.send([event()])
        await d.idle()
        let rec = try #require(await sink.records.first)
        #expect(rec.outcome == .timedOut)
        #expect(rec.stdoutDiscarded > 0, "discarded \(rec.stdoutDiscarded)")
        #expect(rec.stdoutTail.contains("spam\nspam\n"))
        #expect(rec.stdoutTail.utf8.count <= HookRunnerOptions().tailBytes)
    }

    @Test func capKeepsTheFirstBytesAndCountsTheRest() async throws {
        let hook = HookConfig(name: "burst", command: ["/bin/sh", "-c", "head -c 200000 /dev/zero | tr '\\0' x; echo done >&2"])
        let sink = RecordingSink()
        let d = HookDispatcher(hooks: [hook], options: HookRunnerOptions(), sink: sink)
        await d.send([event()])
        await d.idle()
        let rec = try #require(await sink.records.first)
        #expect(rec.outcome == .exited(0))
        #expect(rec.stdoutDiscarded == 200_000 - (64 << 10))
        #expect(rec.stderrTail == "done\n" && rec.stderrDiscarded == 0)
    }

    /// Was logged only as "exit 127".
    @Test func missingExecutableSaysWhy() async throws {
        let sink = RecordingSink()
        let d = HookDispatcher(hooks: [
            HookConfig(name: "gone", command: ["/nonexistent/notify"]),
            HookConfig(name: "nameless", command: ["no-such-notifier-xyz"]),
            HookConfig(name: "dir", command: ["/tmp"]),
        ], sink: sink)
        await d.send([event()])
        await d.idle()
        let why = Dictionary(uniqueKeysWithValues: await sink.records.map { r -> (String, String) in
            if case .spawnFailed(let s) = r.outcome { return (r.hook, s) }
            return (r.hook, "\(r.outcome)")
        })
        #expect(why["gone"]?.contains("/nonexistent/notify: no such file") == true, "\(why)")
        #expect(why["nameless"]?.contains("not found in PATH=") == true, "\(why)")
        #expect(why["dir"]?.contains("is a directory") == true, "\(why)")
    }
}

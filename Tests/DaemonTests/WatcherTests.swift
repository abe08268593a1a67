import Foundation
import Testing
@testable import Daemon

/// Collects a watcher's signals so tests can wait for one with a timeout (never hangs).
actor SignalLog {
    private var seen: [WatchSignal] = []
    private var task: Task<Void, Never>?
    init(_ w: TreeWatcher) { let s = w.signals; Task { await self.follow(s) } }
    private func follow(_ s: AsyncStream<WatchSignal>) async { for await x in s { seen.append(x) } }
    func contains(_ match: (WatchSignal) -> Bool) -> Bool { seen.contains(where: match) }
}

/// Waits (up to a generous limit; nothing is timed) until `condition` holds.
func eventually(_ seconds: Double = 20, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

func nextSignal(_ log: SignalLog, _ match: @escaping @Sendable (WatchSignal) -> Bool) async -> Bool {
    await eventually { await log.contains(match) }
}

@Suite("Watcher: real inotify, recursive, awaited and deleted roots")
struct WatcherTests {
    /// A folder created after watching starts is watched before it is listed, so a file written
    /// in it right away is reported too.
    @Test func newFolderThenFileInside() async throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let w = try TreeWatcher(); await w.start()
        let it = SignalLog(w)
        #expect(await w.addRoot(tmp.path, depth: 3) == .watching)
        try FileManager.default.createDirectory(atPath: tmp.sub("run/checkpoint-1"), withIntermediateDirectories: true)
        // root, run and checkpoint-1 end up watched whatever the order of mkdir vs. event handling.
        #expect(await eventually { await w.watchCount == 3 })
        try writeSafetensors(tmp.sub("run/checkpoint-1/model.safetensors"))
        #expect(await nextSignal(it) { $0 == .changed(tmp.sub("run/checkpoint-1/model.safetensors")) })
        await w.stop()
    }

    /// A folder built elsewhere and renamed in gives one MOVED_TO; its own subfolders get watches.
    @Test func renamedInFolderIsWatched() async throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let outside = try TempDir("wwmon-outside"); defer { outside.cleanup() }
        try FileManager.default.createDirectory(atPath: tmp.sub("root"), withIntermediateDirectories: true)
        try writeSafetensors(outside.sub("checkpoint-7/model.safetensors"))
        try FileManager.default.createDirectory(atPath: outside.sub("checkpoint-7/sub"), withIntermediateDirectories: true)
        let w = try TreeWatcher(); await w.start()
        let it = SignalLog(w)
        _ = await w.addRoot(tmp.sub("root"), depth: 3)
        try FileManager.default.moveItem(atPath: outside.sub("checkpoint-7"), toPath: tmp.sub("root/checkpoint-7"))
        #expect(await nextSignal(it) { $0 == .changed(tmp.sub("root/checkpoint-7")) })
        try writeText(tmp.sub("root/checkpoint-7/sub/x.json"), "{}")
        #expect(await nextSignal(it) { $0 == .changed(tmp.sub("root/checkpoint-7/sub/x.json")) })
        await w.stop()
    }

    /// A root that does not exist yet is awaited via its nearest existing parent, even when
    /// several levels are missing; deleting it is reported and it is awaited again.
    @Test func missingRootAwaitedThenDeletedAndAwaitedAgain() async throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let root = tmp.sub("a/b/run")
        let w = try TreeWatcher(); await w.start()
        let it = SignalLog(w)
        #expect(await w.addRoot(root, depth: 2) == .awaiting)
        try FileManager.default.createDirectory(atPath: tmp.sub("a"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tmp.sub("a/b"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        #expect(await nextSignal(it) { $0 == .rootAppeared(root) })
        try writeSafetensors(root + "/step_1.safetensors")
        #expect(await nextSignal(it) { $0 == .changed(root + "/step_1.safetensors") })
        try FileManager.default.removeItem(atPath: root)
        #expect(await nextSignal(it) { $0 == .rootGone(root) })
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        #expect(await nextSignal(it) { $0 == .rootAppeared(root) })
        await w.stop()
    }

    /// Temp folders (HF's tmp-checkpoint-*) are not watched; their rename to the final name is seen.
    @Test func tempFolderRenamedToFinalName() async throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let w = try TreeWatcher(); await w.start()
        let it = SignalLog(w)
        _ = await w.addRoot(tmp.path, depth: 3)
        try writeSafetensors(tmp.sub("tmp-checkpoint-5/model.safetensors"))
        try FileManager.default.moveItem(atPath: tmp.sub("tmp-checkpoint-5"), toPath: tmp.sub("checkpoint-5"))
        #expect(await nextSignal(it) { $0 == .changed(tmp.sub("checkpoint-5")) })
        await w.stop()
    }
}

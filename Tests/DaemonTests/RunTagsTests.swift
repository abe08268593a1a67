import Foundation
import Logging
import Store
import Testing
@testable import Daemon

@Suite("[[watch]] tags reach the store")
struct RunTagsTests {
    @Test("A root's tags are set on its runs; a tag the user set with `wwmon tag` is kept; other roots' runs get none")
    func configTagsApplied() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-tags-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        for (i, run) in ["a", "b"].enumerated() {
            let file = dir.appendingPathComponent("\(run).safetensors")
            try Data(repeating: 1, count: 8 + i).write(to: file)
            _ = try store.recordError(run: run, root: nil, path: file.path, step: 1, epoch: nil,
                                      identity: .of(path: file.path), error: "unreadable")
        }
        let config = try DaemonConfig.parse("""
            [[watch]]
            path = "/sweep/depth4"
            runs_in_subdirectories = true
            tags = { depth = 4, lr = "0.1" }
            [[watch]]
            path = "/sweep/other"
            runs_in_subdirectories = true
            """)
        let tags = RunTags(config)
        try store.setTags(run: "a", ["lr": "0.3"], source: .user)
        tags.apply(store: store, run: "a", root: "/sweep/depth4", logger: Logger(label: "test"))
        tags.apply(store: store, run: "b", root: "/sweep/other", logger: Logger(label: "test"))
        #expect(try store.tags() == ["a": ["depth": "4", "lr": "0.3"]])
        // The config changes (a reload): its tags follow, the user's still win.
        let changed = RunTags(try DaemonConfig.parse("""
            [[watch]]
            path = "/sweep/depth4"
            runs_in_subdirectories = true
            tags = { depth = 5, lr = "0.2" }
            """))
        changed.apply(store: store, run: "a", root: "/sweep/depth4", logger: Logger(label: "test"))
        #expect(try store.tags()["a"] == ["depth": "5", "lr": "0.3"])
    }
}

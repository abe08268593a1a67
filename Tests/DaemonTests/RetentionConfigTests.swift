import Store
import Testing
@testable import Daemon

/// `[store.retention]` decoding (Sources/Daemon/Config/RetentionConfig.swift).
struct RetentionConfigTests {
    @Test("[store.retention] keys become the policy; absent means keep everything")
    func decodes() throws {
        let c = try DaemonConfig.parse("""
        [store.retention]
        keep_last = 50
        keep_days = 7.5
        keep_every = 10
        drop_runs_after_days = 90
        [[watch]]
        path = "/data/a"
        """)
        #expect(c.store.retention == RetentionPolicy(keepDays: 7.5, keepLast: 50, keepEvery: 10, dropRunsAfterDays: 90))
        #expect(try DaemonConfig.parse("[[watch]]\npath = \"/data/a\"").store.retention.isEmpty)
    }

    @Test("bad retention values are named by key")
    func badValues() {
        for (toml, key) in [("keep_last = 0", "keep_last"), ("keep_every = 2", "store.retention"),
                            ("drop_runs_after_days = 0", "drop_runs_after_days")] {
            do {
                _ = try DaemonConfig.parse("[store.retention]\n\(toml)\n[[watch]]\npath = \"/data/a\"")
                Issue.record("accepted \(toml)")
            } catch {
                #expect("\(error)".contains(key), "\(error)")
            }
        }
    }
}

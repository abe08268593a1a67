import Foundation
import Testing
@testable import Daemon

@Suite("Config: [[watch]] tags for wwmon rank")
struct WatchTagsTests {
    @Test("tags = {…} takes strings, integers, floats and booleans as text; the shipped example has some")
    func tagsParse() throws {
        let c = try DaemonConfig.parse("""
        [[watch]]
        path = "/data/sweep"
        runs_in_subdirectories = true
        tags = { depth = 16, lr = "3e-4", wd = 0.5, frozen = false }
        """)
        #expect(c.watches[0].tags == ["depth": "16", "lr": "3e-4", "wd": "0.5", "frozen": "false"])
        let shipped = try DaemonConfig.load(path: repoRoot.appendingPathComponent("config/wwmon.toml").path)
        #expect(shipped.watches[0].tags == ["model": "bert-base", "lr": "3e-4"])
        #expect(shipped.watches[1].tags.isEmpty)
    }

    @Test("Bad tags are named by key: not a table, a nested value, a bad tag name")
    func badTags() {
        for (toml, key, problem) in [
            ("tags = \"depth=16\"", "watch[0].tags", "must be a table of tags"),
            ("tags = { depth = [1, 2] }", "watch[0].tags.depth", "must be a string, number or boolean"),
            ("tags = { \"a b\" = 1 }", "watch[0].tags.a b", "tag names are letters"),
        ] {
            do {
                _ = try DaemonConfig.parse("[[watch]]\npath = \"/data/x\"\n" + toml)
                Issue.record("accepted \(toml)")
            } catch {
                #expect(error.key == key && error.problem.contains(problem), "\(toml): \(error)")
            }
        }
    }
}

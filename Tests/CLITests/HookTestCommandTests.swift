import Foundation
import Testing

/// Runs the built `wwmon` (shared helper); returns exit status, stdout, stderr.
private func wwmon(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
    let r = try StoreCLI.run(args)
    return (r.status, r.stdout, r.stderr)
}

private func tempDir() throws -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-cli-hook-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

/// `wwmon hook test NAME` against real config files and real hook processes.
@Suite struct HookTestCommandTests {
    @Test("hook test runs the named hook with a synthetic test event and reports its exit and output")
    func runsHook() throws {
        let dir = try tempDir()
        let got = dir.appendingPathComponent("stdin.json").path
        let cfg = dir.appendingPathComponent("wwmon.toml")
        try """
        [[watch]]
        path = "/nonexistent/runs"

        [[hook]]
        name = "other"
        command = ["/bin/false"]

        [[hook]]
        name = "rec"
        command = ["/bin/sh", "-c", "cat > \\"$1\\"; echo \\"event=$WWMON_EVENT rule=$WWMON_RULE\\"", "sh", "\(got)"]
        timeout_seconds = 5
        """.write(to: cfg, atomically: true, encoding: .utf8)
        let r = try wwmon(["hook", "test", "rec", "--config", cfg.path])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("hook rec: exited 0"))
        #expect(r.out.contains("event=test rule=test"))
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: got))) as! [String: Any]
        let alert = (doc["alerts"] as! [[String: Any]])[0]
        #expect((alert["labels"] as! [String: String])["rule"] == "test")
        #expect(alert["event"] as? String == "test")
    }

    @Test("hook test exits 1 and shows stderr when the hook fails")
    func failingHook() throws {
        let dir = try tempDir()
        let cfg = dir.appendingPathComponent("wwmon.toml")
        try """
        [[watch]]
        path = "/nonexistent/runs"

        [[hook]]
        name = "bad"
        command = ["/bin/sh", "-c", "echo 'slack said 403' >&2; exit 1"]
        """.write(to: cfg, atomically: true, encoding: .utf8)
        let r = try wwmon(["hook", "test", "bad", "--config", cfg.path])
        #expect(r.status == 1)
        #expect(r.out.contains("exited 1") && r.out.contains("slack said 403"))
    }

    @Test("an unknown hook name, a missing file and a string command are clear errors naming the file")
    func configErrors() throws {
        let dir = try tempDir()
        let cfg = dir.appendingPathComponent("wwmon.toml")
        try "[[watch]]\npath = \"/nonexistent/runs\"\n[[hook]]\nname = \"a\"\ncommand = [\"/bin/true\"]\n".write(to: cfg, atomically: true, encoding: .utf8)
        let unknown = try wwmon(["hook", "test", "zzz", "--config", cfg.path])
        #expect(unknown.status != 0 && unknown.err.contains("no hook named 'zzz'") && unknown.err.contains("configured: a"))

        let missing = try wwmon(["hook", "test", "a", "--config", dir.appendingPathComponent("nope.toml").path])
        #expect(missing.status == 1 && missing.err.contains("nope.toml"))

        let str = dir.appendingPathComponent("str.toml")
        try "[[watch]]\npath = \"/nonexistent/runs\"\n[[hook]]\nname = \"s\"\ncommand = \"notify --text $WWMON_MESSAGE\"\n".write(to: str, atomically: true, encoding: .utf8)
        let s = try wwmon(["hook", "test", "s", "--config", str.path])
        #expect(s.status == 1 && s.err.contains("str.toml") && s.err.contains("hook[0].command: must be an argv array"))
    }

    @Test("--dry-run prints the clean environment and the JSON document without running the hook")
    func dryRun() throws {
        let dir = try tempDir()
        let marker = dir.appendingPathComponent("ran").path
        let cfg = dir.appendingPathComponent("wwmon.toml")
        try "[[watch]]\npath = \"/nonexistent/runs\"\n[[hook]]\nname = \"t\"\ncommand = [\"/usr/bin/touch\", \"\(marker)\"]\n".write(to: cfg, atomically: true, encoding: .utf8)
        let r = try wwmon(["hook", "test", "t", "--config", cfg.path, "--dry-run"])
        #expect(r.status == 0)
        #expect(r.out.contains("WWMON_EVENT=test") && r.out.contains("PATH=") && r.out.contains("\"receiver\":\"t\""))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}

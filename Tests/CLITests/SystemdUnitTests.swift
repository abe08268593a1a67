import Foundation
import Testing

/// The shipped units pass `systemd-analyze verify`, and scripts/install.sh puts binary, units and
/// config in place. Needs systemd-analyze (Debian package `systemd`); skipped with a note otherwise.
@Suite("systemd units and install script")
struct SystemdUnitTests {
    static let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs `systemd-analyze verify` on a copy of `unit` (named `as`) whose ExecStart points at
    /// the built binary (verify insists the program exists). Returns status and all output.
    static func verify(_ text: String, as name: String) throws -> (Int32, String) {
        let dir = try StoreCLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let unit = dir.appendingPathComponent(name)
        try text.replacingOccurrences(of: "/usr/local/bin/wwmon", with: StoreCLI.binary.path)
            .write(to: unit, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: analyze!)
        p.arguments = ["verify", unit.path]
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out; p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func unit(_ name: String) throws -> String {
        try String(contentsOf: StoreCLI.repoRoot.appendingPathComponent("systemd/\(name)"), encoding: .utf8)
    }

    /// verify exits 0 even for some bad lines (it logs and ignores them), so clean means exit 0
    /// AND no output at all.
    @Test(.enabled(if: analyze != nil, "systemd-analyze not installed (apt-get install systemd)"),
          arguments: [("wwmon.service", "wwmon.service"), ("wwmon@.service", "wwmon@team-a.service")])
    func unitVerifiesClean(file: String, instance: String) throws {
        let (status, output) = try Self.verify(try Self.unit(file), as: instance)
        #expect(status == 0 && output.isEmpty, "\(file): \(output)")
    }

    /// The check above can fail: a misspelt directive value is reported.
    @Test(.enabled(if: analyze != nil, "systemd-analyze not installed (apt-get install systemd)"))
    func verifyCatchesABadLine() throws {
        let bad = try Self.unit("wwmon.service").replacingOccurrences(of: "Type=notify", with: "Type=notfy")
        let (_, output) = try Self.verify(bad, as: "wwmon.service")
        #expect(output.contains("notfy"))
    }

    /// The unit carries what the issue asks for.
    @Test func unitHasTheRequiredSettings() throws {
        let u = try Self.unit("wwmon.service")
        for line in ["Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "WatchdogSec=", "ProtectSystem=strict",
                     "ProtectHome=read-only", "StateDirectory=wwmon", "ConfigurationDirectory=wwmon",
                     "NoNewPrivileges=yes", "PrivateTmp=yes", "CPUWeight=", "IOWeight=", "IOSchedulingClass=idle"] {
            #expect(u.contains(line), "missing \(line)")
        }
        let t = try Self.unit("wwmon@.service")
        #expect(t.contains("--config /etc/wwmon/%i.toml") && t.contains("StateDirectory=wwmon/%i"))
    }

    /// scripts/install.sh into a staging DESTDIR: binary, both units, example config, man page and
    /// bash/zsh/fish completions; it checks the installed config with the installed binary.
    @Test func installScriptStagesEverything() throws {
        let stage = try StoreCLI.tempDir()
        defer { try? FileManager.default.removeItem(at: stage) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [StoreCLI.repoRoot.appendingPathComponent("scripts/install.sh").path, "--binary", StoreCLI.binary.path]
        var env = ProcessInfo.processInfo.environment
        env["DESTDIR"] = stage.path
        p.environment = env
        let out = Pipe(); p.standardOutput = out; p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        for f in ["usr/local/bin/wwmon", "etc/systemd/system/wwmon.service", "etc/systemd/system/wwmon@.service",
                  "etc/wwmon/wwmon.toml", "usr/local/share/doc/wwmon/wwmon.toml.example",
                  "usr/local/share/man/man1/wwmon.1"] {
            #expect(FileManager.default.fileExists(atPath: stage.appendingPathComponent(f).path), "\(f) not installed")
        }
        // Completion scripts, each in its shell's own syntax and naming the subcommands.
        for (f, marker) in [("usr/local/share/bash-completion/completions/wwmon", "-F _wwmon wwmon"),
                            ("usr/local/share/zsh/site-functions/_wwmon", "#compdef wwmon"),
                            ("usr/local/share/fish/vendor_completions.d/wwmon.fish", "complete -c 'wwmon'")] {
            let script = (try? String(contentsOf: stage.appendingPathComponent(f), encoding: .utf8)) ?? ""
            #expect(script.contains(marker) && script.contains("checkpoints"), "\(f): not a completion script")
        }
        #expect(FileManager.default.isExecutableFile(atPath: stage.appendingPathComponent("usr/local/bin/wwmon").path))
        #expect(text.contains("wwmon.toml: ok"))
    }
}

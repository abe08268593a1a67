import Foundation
import Testing
import TestSupport

/// The CLI's conventions, run on the real binary: what the user asked to see goes to stdout,
/// fixed choices are checked by the parser, every command that prints data has --json, and the
/// committed man page covers every command.
@Suite("wwmon CLI conventions")
struct CLIConventionsTests {
    static let dataCommands: [[String]] = [["analyze"], ["ingest"], ["runs"], ["checkpoints"], ["history"],
                                           ["layers"], ["compare"], ["export"], ["alerts"], ["hook", "test"], ["rank"]]

    @Test("--help goes to stdout with exit 0, so `wwmon --help | less` shows it", arguments: [[], ["analyze"], ["hook", "test"]])
    func helpOnStdout(command: [String]) throws {
        let r = try StoreCLI.run(command + ["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: wwmon"), "\(r.stdout)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
    }

    @Test("--version prints the version on stdout")
    func version() throws {
        let r = try StoreCLI.run(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("wwmon ") && r.stdout.contains("WeightWatcher 0.7.7"), "\(r.stdout)")
        #expect(r.stderr.isEmpty)
    }

    @Test("completion scripts for bash, zsh and fish go to stdout and name the subcommands",
          arguments: [("bash", "-F _wwmon wwmon"), ("zsh", "#compdef wwmon"), ("fish", "complete -c 'wwmon'")])
    func completionScripts(shell: String, marker: String) throws {
        let r = try StoreCLI.run(["--generate-completion-script", shell])
        #expect(r.status == 0)
        #expect(r.stdout.contains(marker), "\(shell): \(r.stdout.prefix(200))")
        #expect(r.stdout.contains("checkpoints") && r.stdout.contains("daemon"))
        #expect(r.stderr.isEmpty)
    }

    @Test("fixed choices are enums: a wrong value is a usage error (exit 2) naming the valid ones",
          arguments: [(["alerts", "--state", "burning"], "resolved"),
                      (["compare", "r", "--metric", "alhpa"], "alpha_weighted"),
                      (["rank", "--svg-metric", "alhpa"], "log_spectral_norm"),
                      (["analyze", "x.safetensors", "--format", "yaml"], "csv")])
    func enumChoices(args: [String], valid: String) throws {
        let r = try StoreCLI.run(args + ["--db", "/nonexistent/wwmon-conventions.db"])
        #expect(r.status == 2, "\(args): \(r.stderr)")
        #expect(r.stderr.contains(valid), "\(args): \(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test("every command that prints data offers --json", arguments: dataCommands)
    func jsonEverywhere(command: [String]) throws {
        let r = try StoreCLI.run(command + ["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("--json"), "\(command.joined(separator: " ")) has no --json")
    }

    @Test("analyze --json prints exactly what --format json prints")
    func analyzeJSONFlag() throws {
        let model = try ReferenceFixtures.casePath("d_conv2d_64x32x3x3")
        let a = try StoreCLI.run(["analyze", model, "--json"])
        let b = try StoreCLI.run(["analyze", model, "--format", "json"])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        // Same document (JSON object key order is not part of the contract).
        let ja = try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? NSDictionary
        let jb = try JSONSerialization.jsonObject(with: Data(b.stdout.utf8)) as? NSDictionary
        #expect(ja != nil && ja == jb)
        let contradiction = try StoreCLI.run(["analyze", model, "--json", "--format", "csv"])
        #expect(contradiction.status == 2)
    }

    @Test("hook test --json: the outcome of a real run, and with --dry-run what the hook would get")
    func hookTestJSON() throws {
        let dir = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("w.toml")
        try """
        [[watch]]
        path = "\(dir.path)"
        [[hook]]
        name = "echo"
        command = ["/bin/sh", "-c", "cat >/dev/null; echo hello"]
        """.write(to: config, atomically: true, encoding: .utf8)
        let run = try StoreCLI.run(["hook", "test", "echo", "--config", config.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(o["outcome"] as? String == "exited")
        #expect(o["exit_code"] as? Int == 0)
        #expect((o["stdout_tail"] as? String)?.contains("hello") == true)
        let dry = try StoreCLI.run(["hook", "test", "echo", "--config", config.path, "--json", "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
        #expect(d["argv"] as? [String] == ["/bin/sh", "-c", "cat >/dev/null; echo hello"])
        #expect((d["environment"] as? [String: String])?.keys.contains { $0.hasPrefix("WWMON_") } == true)
    }

    @Test("the committed man page (docs/wwmon.1, scripts/gen-manpage.sh) documents every subcommand the binary has")
    func manPageCoversEveryCommand() throws {
        let url = RepositoryPaths.root.appendingPathComponent("docs/wwmon.1")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MissingFixture(path: url.path, remedy: "run scripts/gen-manpage.sh")
        }
        let page = try String(contentsOf: url, encoding: .utf8)
        #expect(page.contains(".Dt WWMON 1") || page.contains(".TH WWMON"), "not a man page")
        let help = try StoreCLI.run(["--help"]).stdout
        let section = try #require(help.components(separatedBy: "SUBCOMMANDS:").last)
        let names = section.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("  "), let first = t.split(separator: " ").first else { return nil }
            return first.allSatisfy { $0.isLowercase || $0 == "-" } ? String(first) : nil
        }
        #expect(names.count >= 11, "\(names)")
        for name in names {
            #expect(page.contains(name), "man page lacks \(name): regenerate with scripts/gen-manpage.sh")
        }
        // Options added since are caught too: the flags of `analyze` appear in the page.
        for flag in ["no-pool", "exact-svd", "json"] { #expect(page.contains(flag), "\(flag)") }
    }
}

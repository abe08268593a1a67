import Alerts
import Daemon
import ArgumentParser
import Foundation
import Logging

/// `wwmon hook ...`
struct HookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook", abstract: "Work with the alert hooks of the configuration.",
        subcommands: [HookTestCommand.self])
}

/// `wwmon hook test NAME`: one synthetic event through a configured hook, exactly as the
/// daemon would run it (argv, clean environment, JSON on stdin, timeout, process group).
struct HookTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send a synthetic test event through a configured hook and report what happened.",
        discussion: "Exit status: 0 if the hook exited 0, 1 otherwise.")

    @Argument(help: "The hook's name (its [[hook]] name).")
    var name: String

    @Option(help: "The configuration file.")
    var config: String = "/etc/wwmon/wwmon.toml"

    @Flag(help: "Print the environment and the JSON the hook would get; run nothing.")
    var dryRun = false

    @Flag(help: "Print the outcome (or, with --dry-run, what the hook would get) as one JSON object.")
    var json = false

    /// `--json` with --dry-run.
    struct DryRun: Encodable {
        var hook: String; var argv: [String]; var timeoutSeconds: Double
        var environment: [String: String]; var stdin: String
        enum CodingKeys: String, CodingKey { case hook, argv, timeoutSeconds = "timeout_seconds", environment, stdin }
    }

    /// `--json` after a run.
    struct Outcome: Encodable {
        var hook: String; var outcome: String; var exitCode: Int32?; var signal: Int32?
        var durationSeconds: Double; var stdoutTail: String; var stderrTail: String; var succeeded: Bool
        enum CodingKeys: String, CodingKey {
            case hook, outcome, exitCode = "exit_code", signal, durationSeconds = "duration_seconds"
            case stdoutTail = "stdout_tail", stderrTail = "stderr_tail", succeeded
        }
    }

    static func jsonLine(_ value: some Encodable) throws -> String {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    func run() async throws {
        // The daemon's own reader: `hook test` judges the file exactly as the daemon will.
        let hooks: [HookConfig]
        do { hooks = try DaemonConfig.load(path: config).hooks } catch { throw RuntimeError("\(error)") }
        guard let hook = hooks.first(where: { $0.name == name }) else {
            let known = hooks.map(\.name)
            throw ValidationError("no hook named '\(name)' in \(config) (configured: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
        }
        let event = AlertEvent.test(hook: name, now: Date())
        let options = HookRunnerOptions()
        if dryRun {
            let payload = HookPayload(hook: name, events: [event])
            if json {
                print(try Self.jsonLine(DryRun(hook: name, argv: hook.command, timeoutSeconds: hook.timeoutSeconds,
                                               environment: payload.environment(path: options.path, home: options.home),
                                               stdin: String(decoding: try payload.json(), as: UTF8.self))))
                return
            }
            print("argv: " + hook.command.map { "\"\($0)\"" }.joined(separator: " "))
            print("timeout: \(hook.timeoutSeconds) s")
            for (k, v) in payload.environment(path: options.path, home: options.home).sorted(by: { $0.key < $1.key }) {
                print("\(k)=\(v)")
            }
            print(String(decoding: try payload.json(), as: UTF8.self))
            return
        }
        let log = HookRunLog()
        let dispatcher = HookDispatcher(hooks: [hook], options: options, sink: log, logger: Logger(label: "wwmon.hook-test"))
        try await dispatcher.send([event], toHook: name)
        await dispatcher.idle()
        guard let rec = await log.records.first else { throw ExitCode.failure }
        if json {
            var o = Outcome(hook: name, outcome: "", exitCode: nil, signal: nil, durationSeconds: rec.durationSeconds,
                            stdoutTail: rec.stdoutTail, stderrTail: rec.stderrTail, succeeded: rec.succeeded)
            switch rec.outcome {
            case .exited(let c): o.outcome = "exited"; o.exitCode = c
            case .signaled(let s): o.outcome = "signaled"; o.signal = s
            case .timedOut: o.outcome = "timed_out"
            case .spawnFailed: o.outcome = "spawn_failed"
            }
            print(try Self.jsonLine(o))
            fflush(nil)
            if !rec.succeeded { throw ExitCode.failure }
            return
        }
        let what: String
        switch rec.outcome {
        case .exited(let c): what = "exited \(c)"
        case .signaled(let s): what = "killed by signal \(s)"
        case .timedOut: what = "timed out after \(hook.timeoutSeconds) s; its process group was killed"
        case .spawnFailed(let why): what = "could not start: \(why)"
        }
        print("hook \(name): \(what) (\(String(format: "%.3f", rec.durationSeconds)) s)")
        if !rec.stdoutTail.isEmpty { print("stdout (tail):\n" + rec.stdoutTail, terminator: rec.stdoutTail.hasSuffix("\n") ? "" : "\n") }
        if !rec.stderrTail.isEmpty { print("stderr (tail):\n" + rec.stderrTail, terminator: rec.stderrTail.hasSuffix("\n") ? "" : "\n") }
        fflush(nil)
        if !rec.succeeded { throw ExitCode.failure }
    }
}

import ArgumentParser
import Daemon
import Foundation
import Logging
import Metrics

/// `wwmon`: WeightWatcher metrics of training checkpoints, their history, and the daemon.
/// Exit codes: 0 ok, 1 error, 2 usage, 3 alerts firing (where a command says so).
@main
struct WWMon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wwmon",
        abstract: "Watch training checkpoints and track WeightWatcher metrics of every layer.",
        discussion: "Exit codes: 0 ok, 1 error, 2 usage error, 3 alerts firing (alerts, runs).",
        version: WWMonVersion.current,
        subcommands: [AnalyzeCommand.self, IngestCommand.self, RunsCommand.self, CheckpointsCommand.self, TagCommand.self, RankCommand.self,
                      HistoryCommand.self, LayersCommand.self, CompareCommand.self, ExportCommand.self,
                      AlertsCommand.self, NoteCommand.self, HookCommand.self, DaemonCommand.self, ServeCommand.self,
                      PruneCommand.self])

    static func main() async {
        MemoryPolicy.apply()
        // Only verbs that run LAPACK pay for the kernel re-exec (~30 ms); queries start at once,
        // without OpenBLAS's idle workers spinning on the other core.
        if let verb = CommandLine.arguments.dropFirst().first, ["analyze", "ingest", "daemon"].contains(verb) {
            KernelSelection.ensureFastKernels()
        } else {
            BLASLibrary.stopIdleWorkers()
        }
        // One handler for every command: journal fields under systemd, plain lines on a terminal.
        LoggingSystem.bootstrap(JournalLogHandler.factory(environment: ProcessInfo.processInfo.environment),
                                metadataProvider: nil)
        do {
            var command = try parseAsRoot()
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// ArgumentParser's codes, mapped onto ours: its usage errors (64) become 2. What a clean exit
    /// prints (--help, --version, a completion script) is the output asked for, so it goes to
    /// stdout (`wwmon --help | less`); only errors go to stderr.
    static func exit(withError error: Error) -> Never {
        let code = exitCode(for: error)
        var message = fullMessage(for: error)
        if code != .success, message.hasPrefix("Error: ") { message = "wwmon: error: " + message.dropFirst(7) }
        if !message.isEmpty {
            let out = code == .success ? FileHandle.standardOutput : FileHandle.standardError
            out.write(Data((message + "\n").utf8))
        }
        switch code.rawValue {
        case 0: Foundation.exit(0)
        case 64: Foundation.exit(2)          // EX_USAGE -> 2
        case let c where c == ExitCode.failure.rawValue: Foundation.exit(1)
        default: Foundation.exit(code.rawValue)
        }
    }
}

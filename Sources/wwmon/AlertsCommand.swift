import Alerts
import ArgumentParser
import Foundation
import Logging
import Store
import Views

/// `wwmon alerts [RUN] [--state firing|resolved|all] [--json]`
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List alerts (firing by default), newest first.",
        discussion: "Exit status 3 when firing alerts match the query (for scripts and cron).")

    @Argument(help: "Only this run's alerts.")
    var run: String?

    @Option(help: "Which alerts: firing, resolved or all.")
    var state: HistoryAlertStore.State = .firing

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions

    func run() async throws {
        let alerts = try HistoryAlertStore(store: database.reader(), logger: Logger(label: "wwmon.alerts"))
            .list(run: run, state: state)
        switch output.format {
        case .json: emit(try AlertView.json(alerts))
        case .ndjson: emit(try MachineJSON.lines(alerts.map(AlertView.init)))
        case .csv:
            var out = CSV.row(["run", "rule", "layer", "state", "step", "value", "threshold", "message",
                               "fired_at", "resolved_at"])
            for a in alerts {
                out += CSV.row([a.run, a.rule, a.layer, a.state.rawValue, a.step.map(String.init) ?? "",
                                Text.exact(a.value), Text.exact(a.threshold), a.message,
                                Text.time(a.firedAt), a.resolvedAt.map(Text.time) ?? ""])
            }
            emit(out)
        case nil:
            if alerts.isEmpty {
                emit("No \(state == .all ? "" : state.rawValue + " ")alerts\(run.map { " for run \($0)" } ?? "").\n")
            } else {
                let style = Style.forStandardOutput()
                var t = Table(["state", "run", "rule", "layer", "step", "value", "threshold", "fired", "resolved", "message"],
                              left: [0, 1, 2, 3, 9])
                for a in alerts {
                    t.add([.init(a.state.rawValue, a.state == .firing ? .alert : .dim), .init(a.run), .init(a.rule),
                           .init(a.layer.isEmpty ? "-" : Self.oneLine(a.layer)), .init(Text.step(a.step)),
                           .init(Text.fixed(a.value)), .init(Text.fixed(a.threshold)),
                           .init(Text.time(a.firedAt)), .init(a.resolvedAt.map(Text.time) ?? "-"),
                           .init(Self.oneLine(a.message))])
                }
                emit(t.render(style))
            }
        }
        if alerts.contains(where: { $0.state == .firing }) { throw ExitCode(3) }
    }

    /// Layer names and messages come from checkpoint files: keep a table row one line.
    static func oneLine(_ s: String) -> String {
        String(s.map { $0.isNewline || $0 == "\t" ? " " : $0 }).unicodeScalars
            .filter { !($0.properties.generalCategory == .control) }.map(String.init).joined()
    }
}

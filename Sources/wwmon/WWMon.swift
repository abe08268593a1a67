import ArgumentParser

@main
struct WWMon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wwmon",
        abstract: "Watch ML checkpoints and track WeightWatcher metrics over training.",
        subcommands: [DaemonCommand.self])
}

import ArgumentParser

@main
struct WWMon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wwmon",
        abstract: "Watch ML checkpoints, track WeightWatcher metrics over training, alert on drift.",
        subcommands: [])
}

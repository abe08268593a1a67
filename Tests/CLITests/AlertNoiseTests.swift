import Alerts
import Foundation
import Store
import Testing

/// Issue 9.7: the daemon through a 20-checkpoint run (the example trainer's noisy series, dropped
/// into the watched folder one checkpoint at a time), counting hook calls and drift flips
/// without hysteresis (resolve_after = 1, resolve_margin = 0) and with the defaults. The
/// numbers are printed and quoted in the README.
@Suite(.serialized) struct AlertNoiseTests {
    struct Noise: CustomStringConvertible {
        var hookCalls = 0, events = 0, driftFired = 0, driftResolved = 0, firingAtEnd: [String] = []
        var description: String {
            "\(hookCalls) hook calls, \(events) events, alpha_drift fired \(driftFired) / resolved \(driftResolved), firing at the end: \(firingAtEnd.count)"
        }
    }

    static let trainer = StoreCLI.binary.deletingLastPathComponent().appendingPathComponent("wwmon-example-trainer")

    func run(series: URL, alerts: String) throws -> Noise {
        let dir = try StoreCLI.tempDir()
        let root = dir.appendingPathComponent("watched").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let hookLog = dir.appendingPathComponent("hook.log").path
        let config = DaemonProcessTests.config(root) + """

            [alerts]
            \(alerts)

            [[hook]]
            name = "count"
            command = ["/bin/sh", "-c", "echo \\"$WWMON_ALERT_COUNT\\" >> \(hookLog)"]
            """
        let d = try DaemonProcessTests.Daemon(dir: dir, config: config)
        try d.start()
        let names = try FileManager.default.contentsOfDirectory(atPath: series.path)
            .filter { $0.hasPrefix("checkpoint-") }
            .sorted { Int($0.dropFirst(11))! < Int($1.dropFirst(11))! }
        #expect(names.count == 20)
        // One checkpoint at a time, each recorded before the next arrives: a live run, in order.
        for (i, name) in names.enumerated() {
            try FileManager.default.copyItem(atPath: series.appendingPathComponent(name).path, toPath: root + "/" + name)
            let rows = d.waitRows("r", i + 1)
            try #require(rows.count == i + 1, "checkpoint \(name) not recorded; log:\n\(d.logText)")
        }
        let store = try HistoryStore(path: d.db, readOnly: true)
        let alerts = try HistoryAlertStore(store: store).list(run: "r", state: .all)
        var n = Noise()
        n.driftFired = alerts.filter { $0.rule == "alpha_drift" }.count
        n.driftResolved = alerts.filter { $0.rule == "alpha_drift" && $0.state == .resolved }.count
        n.firingAtEnd = alerts.filter { $0.state == .firing }.map { "\($0.rule) \($0.layer)" }.sorted()
        let transitions = alerts.count + alerts.filter { $0.state == .resolved }.count
        // Hooks run after the rows are written: wait until they have told of every transition.
        let deadline = Date().addingTimeInterval(60)
        var counts: [Int] = []
        repeat {
            counts = ((try? String(contentsOfFile: hookLog, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int($0) }
            if counts.reduce(0, +) >= transitions { break }
            usleep(100_000)
        } while Date() < deadline
        n.hookCalls = counts.count
        n.events = counts.reduce(0, +)
        #expect(n.events == transitions, "hooks told of \(n.events) of \(transitions) transitions")
        #expect(d.stop() == 0)
        return n
    }

    @Test("hysteresis cuts hook calls and drift flips of a 20-checkpoint run; the newest checkpoint's alerts still fire")
    func hysteresisCutsNoise() throws {
        let made = try StoreCLI.tempDir(); defer { try? FileManager.default.removeItem(at: made) }
        let p = Process()
        p.executableURL = Self.trainer
        // --noise: each save's heavy tail 40% up or down around the trend, as real alpha
        // estimates wobble from save to save.
        p.arguments = [made.path, "--steps", "20", "--interval", "0", "--noise", "0.4"]
        p.standardOutput = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        try #require(p.terminationStatus == 0)

        let before = try run(series: made, alerts: "resolve_after = 1\nresolve_margin = 0.0")
        let after = try run(series: made, alerts: "")
        print("alert noise over 20 checkpoints — without hysteresis: \(before); with the defaults: \(after)")
        #expect(before.driftFired > 0, "the series must move enough to drift: \(before)")
        #expect(after.driftFired < before.driftFired && after.hookCalls < before.hookCalls, "\(before) vs \(after)")
    }
}

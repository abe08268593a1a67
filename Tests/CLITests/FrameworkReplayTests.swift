import Alerts
import Foundation
import Store
import Testing

/// Issue 9 acceptance: each real framework's recorded write sequence replayed into the watched
/// folder of a running daemon. Checks: the recorded steps are the framework's, each exactly once
/// (per run: Lightning's version_N folders are runs of their own); no error rows for the files
/// written beside the weights; aliases (last.ckpt, a final save_model()) are not new points;
/// rotated-away saves are listed as `vanished`; training metrics (eval_loss) are attached;
/// every run's `export --csv` pivots in pandas.
@Suite(.serialized, .enabled(if: FrameworkSequence.available, "framework fixtures (Tests/Fixtures/frameworks) not present"))
struct FrameworkReplayTests {
    static let settle = 1.0

    struct Result {
        var rows: [String: [CheckpointRecord]]
        var firing: [String]
        var daemon: DaemonProcessTests.Daemon
    }

    /// Starts a daemon on an empty run folder (or, with `backlog`, on the finished folder),
    /// plays the case, waits until everything expected is recorded, then a little more so a
    /// spurious extra row would show.
    func replay(_ seq: FrameworkSequence, stretch: Double = 0, backlog: Bool = false) throws -> Result {
        let dir = try StoreCLI.tempDir()
        let runDir = dir.appendingPathComponent("watched/exp").path
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let config = """
            [[watch]]
            path = "\(runDir)"
            run = "exp"
            settle_seconds = \(Self.settle)
            incomplete_error_seconds = 30
            """
        let d = try DaemonProcessTests.Daemon(dir: dir, config: config)
        let late = seq.afterWeights
        if backlog {
            try seq.play(into: runDir, scale: 0)
            // Files older than the settle time: the catch-up scan finds them all at once.
            usleep(useconds_t(Self.settle * 1_500_000))
            try d.start()
        } else {
            try d.start()
            try seq.play(into: runDir, stretch: { late.contains($0) ? stretch : 0 })
        }
        let runs = Dictionary(uniqueKeysWithValues: (seq.expected.stepsByRun ?? [".": seq.expected.steps]).map {
            (FrameworkSequence.runName($0.key, base: "exp"), $0.value)
        })
        // Every save accounted for once: analysed, or `vanished` when rotated away first.
        // (A backlog cannot know of saves deleted before the daemon started.)
        let expectedRows = runs.values.map { $0.filter { !backlog || !seq.expected.vanishedSteps.contains($0) }.count }.reduce(0, +)
        func snapshot() -> [String: [CheckpointRecord]] {
            // The watched run itself too: nothing may land there when the points belong to version_N runs.
            Dictionary(uniqueKeysWithValues: Set(runs.keys).union(["exp"]).map { ($0, d.rows($0)) })
        }
        func done(_ s: [String: [CheckpointRecord]]) -> Bool {
            let all = s.values.flatMap { $0 }
            let aliases = Set(all.flatMap(\.aliasPaths))
            return all.count >= expectedRows
                && (seq.expected.aliases ?? []).allSatisfy { aliases.contains(runDir + "/" + $0.path) }
                && all.filter { $0.status == .ok }.allSatisfy { r in
                    seq.expected.trainingKeys.isEmpty || !r.training.isEmpty }
        }
        let deadline = Date().addingTimeInterval(120)
        var s = snapshot()
        while !done(s), Date() < deadline, d.current?.isRunning == true { usleep(200_000); s = snapshot() }
        // Anything spurious (a second point, an error row) would be recorded within a settle time or two.
        usleep(useconds_t((2 * Self.settle + 1) * 1_000_000))
        s = snapshot()
        let store = try HistoryStore(path: d.db, readOnly: true)
        let firing = try runs.keys.flatMap { run -> [String] in
            (try? HistoryAlertStore(store: store).list(run: run, state: .firing))?.map { "\($0.run) \($0.rule) \($0.layer)" } ?? []
        }.sorted()
        return Result(rows: s, firing: firing, daemon: d)
    }

    func check(_ seq: FrameworkSequence, _ r: Result, label: String) throws {
        let e = seq.expected
        let log = r.daemon.logText
        for (recorded, steps) in e.stepsByRun ?? [".": e.steps] {
            let run = FrameworkSequence.runName(recorded, base: "exp")
            let rows = r.rows[run] ?? []
            // Each save once: analysed, or listed as vanished when the framework deleted it
            // before the settle time was up (which of the two depends on settle_seconds).
            let saves = label.hasSuffix("backlog") ? steps.filter { !e.vanishedSteps.contains($0) } : steps
            #expect(rows.filter { $0.status != .error }.map(\.step).sorted() == saves.sorted(),
                    "\(label) run \(run): \(rows.map { "\($0.step) \($0.status) \($0.path)" })\n\(log)")
            #expect(rows.filter { $0.status == .error }.isEmpty, "\(label): error rows \(rows.filter { $0.status == .error }.map { $0.error ?? "" })")
            for row in rows where row.status == .ok {
                for key in e.trainingKeys where key.hasPrefix("eval_") || key.hasPrefix("val") {
                    #expect(row.training[key] != nil, "\(label) step \(row.step): no \(key) in \(row.training)")
                }
            }
            if rows.contains(where: { $0.status == .ok }) {
                let csv = try StoreCLI.run(["export", run, "--csv", "--db", r.daemon.db])
                #expect(csv.status == 0, "\(csv.stderr)")
                if Pandas.python != nil {
                    #expect(Pandas.pivots(csv.stdout), "\(label) run \(run): export --csv does not pivot in pandas")
                } else {
                    print("pandas not found (set WWMON_PYTHON): the pivot check of \(label) was not run")
                }
            }
        }
        if e.stepsByRun?["."] == nil, e.stepsByRun != nil {
            #expect(r.rows["exp"]?.isEmpty != false, "\(label): rows outside the version_N runs: \(r.rows["exp"] ?? [])")
        }
        let vanished = r.rows.values.flatMap { $0 }.filter { $0.status == .vanished }.map(\.step).sorted()
        #expect(Set(vanished).isSubset(of: e.vanishedSteps), "\(label): vanished \(vanished), deleted by the framework: \(e.vanishedSteps)")
        if !e.vanishedSteps.isEmpty && label.hasSuffix("live") {
            // Saved and deleted within the settle time: these cannot be analysed, and must show.
            #expect(!vanished.isEmpty, "\(label): rotated-away saves are not listed as vanished")
        }
        let byPath = Dictionary(r.rows.values.flatMap { $0 }.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        // Copies and symlinks alike (Lightning's last.ckpt, HF's final save_model()) are aliases
        // of the point whose tensors they hold, never points of their own.
        for a in e.aliases ?? [] {
            let target = byPath[r.daemon.dir.appendingPathComponent("watched/exp/" + a.of).path]
            #expect(target?.aliasPaths.contains { $0.hasSuffix("/" + a.path) } == true,
                    "\(label): \(a.path) is not an alias of \(a.of): \(r.rows)")
        }
    }

    @Test("each framework's save sequence gives its steps, once each", arguments: FrameworkSequence.cases)
    func replayCase(_ name: String) throws {
        let seq = try FrameworkSequence.load(name)
        let live = try replay(seq)
        try check(seq, live, label: "\(name) live")
        #expect(live.daemon.stop() == 0)
        // The same saves found as a backlog at start (analysed newest first): the same points,
        // and the alerts left firing are the newest checkpoint's, as after the live run.
        let backlog = try replay(seq, backlog: true)
        try check(seq, backlog, label: "\(name) backlog")
        #expect(backlog.firing == live.firing, "\(name): firing after a backlog \(backlog.firing) vs live \(live.firing)")
        #expect(backlog.daemon.stop() == 0)
    }

    @Test("HF Trainer whose optimizer and trainer_state.json land after the settle time: one point per checkpoint, completed")
    func lateOptimizer() throws {
        let seq = try FrameworkSequence.load("hf-trainer")
        let r = try replay(seq, stretch: 3 * Self.settle)
        try check(seq, r, label: "hf-trainer late optimizer")
        for row in r.rows.values.flatMap({ $0 }) where row.status == .ok {
            #expect(row.epoch != nil && row.stepSource == "framework", "step \(row.step): \(row.stepSource) epoch \(String(describing: row.epoch))")
        }
        #expect(r.daemon.stop() == 0)
    }
}

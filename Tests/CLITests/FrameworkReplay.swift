import Foundation
import Glibc

/// A real framework's recorded file-write sequence (`Tests/Fixtures/frameworks/<case>/sequence.json`,
/// made by `scripts/gen_framework_runs.py` with the pinned frameworks), replayed into a folder:
/// the same operations in the same order, with the recorded gaps scaled, bytes from
/// `Tests/Fixtures/frameworks/blobs/<sha256>`.
struct FrameworkSequence: Decodable {
    struct Expected: Decodable {
        var steps: [Int]
        var stepsByRun: [String: [Int]]?
        var vanishedSteps: [Int]
        var runs: [String]
        var trainingKeys: [String]
        var aliases: [Alias]?
        struct Alias: Decodable { var path: String; var of: String }
        enum CodingKeys: String, CodingKey {
            case steps, stepsByRun = "steps_by_run", vanishedSteps = "vanished_steps", runs
            case trainingKeys = "training_keys", aliases
        }
    }
    struct Event: Decodable {
        var t: Double
        var op: String
        var path: String
        var blob: String?
        var to: String?
        var target: String?
    }
    var `case`: String
    var framework: String
    var expected: Expected
    var events: [Event]

    static let root = StoreCLI.repoRoot.appendingPathComponent("Tests/Fixtures/frameworks")
    static let cases = ["hf-trainer", "hf-final-save", "hf-rotate", "lightning-last", "lightning-last-link",
                        "lightning-two-fits", "accelerate-state", "research-dict", "torch-loop"]

    static func load(_ name: String) throws -> FrameworkSequence {
        let data = try Data(contentsOf: root.appendingPathComponent("\(name)/sequence.json"))
        return try JSONDecoder().decode(FrameworkSequence.self, from: data)
    }

    static var available: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("blobs").path)
    }

    /// The daemon's name for a recorded run folder: "." is the watched run itself, and
    /// Lightning's `…/version_N` folders are runs `<run>/version_N`.
    static func runName(_ recorded: String, base: String) -> String {
        if recorded == "." { return base }
        if let v = recorded.split(separator: "/").last, v.hasPrefix("version_") { return base + "/" + v }
        return base + "/" + recorded
    }

    /// Plays the events into `dir`. `scale` multiplies the recorded gaps; `stretch(i)` adds
    /// seconds before event i (the late-optimizer variant). Returns when the last event is done.
    func play(into dir: String, scale: Double = 1, stretch: (Int) -> Double = { _ in 0 }) throws {
        let fm = FileManager.default
        let start = Date()
        var extra = 0.0
        for (i, e) in events.enumerated() {
            extra += stretch(i)
            let due = start.addingTimeInterval(e.t * scale + extra)
            let wait = due.timeIntervalSinceNow
            if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
            let p = dir + "/" + e.path
            switch e.op {
            case "mkdir":
                try fm.createDirectory(atPath: p, withIntermediateDirectories: true)
            case "write":
                let bytes = try Data(contentsOf: Self.root.appendingPathComponent("blobs/\(e.blob ?? "")"))
                try fm.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                // In place, as torch.save and json.dump write (not atomically by rename).
                guard fm.createFile(atPath: p, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
                let h = try FileHandle(forWritingTo: URL(fileURLWithPath: p))
                try h.write(contentsOf: bytes); try h.close()
            case "rename":
                guard rename(p, dir + "/" + (e.to ?? "")) == 0 else { throw CocoaError(.fileWriteUnknown) }
            case "delete":
                try fm.removeItem(atPath: p)
            case "rmdir":
                try fm.removeItem(atPath: p)
            case "symlink":
                try? fm.removeItem(atPath: p)
                try fm.createSymbolicLink(atPath: p, withDestinationPath: e.target ?? "")
            default:
                throw CocoaError(.featureUnsupported)
            }
        }
    }

    /// Indexes of events right after the last weight file of a checkpoint folder was completed
    /// (written or renamed into place): stretching the gap before them makes the optimizer,
    /// scheduler and trainer_state.json arrive after the settle time.
    var afterWeights: Set<Int> {
        var out: Set<Int> = []
        for (i, e) in events.enumerated() {
            let name = ((e.to ?? e.path) as NSString).lastPathComponent
            if (e.op == "rename" || e.op == "write") && (name == "model.safetensors" || name == "pytorch_model.bin"),
               i + 1 < events.count { out.insert(i + 1) }
        }
        return out
    }
}

/// A python3 that has pandas: $WWMON_PYTHON, the project's benchmark venv, a venv of our own.
enum Pandas {
    static let python: String? = {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        var candidates = [ProcessInfo.processInfo.environment["WWMON_PYTHON"]].compactMap { $0 }
        candidates += [home + "/.cache/wwmon/venv/bin/python", home + "/.cache/wwmon/venv-pandas/bin/python", "/usr/bin/python3"]
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            if run(c, ["-c", "import pandas"]) == 0 { return c }
        }
        return nil
    }()

    @discardableResult
    static func run(_ exe: String, _ args: [String], stdin: Data? = nil) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let pipe = Pipe()
        if stdin != nil { p.standardInput = pipe }
        guard (try? p.run()) != nil else { return -1 }
        if let stdin { pipe.fileHandleForWriting.write(stdin); try? pipe.fileHandleForWriting.close() }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// True when `csv` loads and pivots one row per step, one column group per layer.
    static func pivots(_ csv: String) -> Bool {
        guard let python else { return false }
        let script = """
            import io, sys, pandas as pd
            df = pd.read_csv(io.StringIO(sys.stdin.read()))
            p = df.pivot(index="step", columns="layer")
            assert len(p.index) == df["step"].nunique() and len(p) > 0
            """
        return run(python, ["-c", script], stdin: Data(csv.utf8)) == 0
    }
}

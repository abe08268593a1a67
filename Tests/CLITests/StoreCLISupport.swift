import Analysis
import Foundation
import TestSupport
import Metrics

/// Runs the built `wwmon` binary (it sits next to the test bundle in the build products dir)
/// and builds inputs for it from the committed WeightWatcher reference (Tests/Fixtures/reference).
enum StoreCLI {
    static let binary: URL = {
        var candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        candidates += candidates.map { $0.deletingLastPathComponent() }
        for dir in candidates {
            let url = dir.appendingPathComponent("wwmon")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        fatalError("wwmon binary not found next to the test bundle (\(candidates.map(\.path)))")
    }()

    static let repoRoot = RepositoryPaths.root

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `wwmon args...` to completion with NO_COLOR set (tables must read without colour).
    @discardableResult
    static func run(_ args: [String], environment extra: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "WWMON_DB")
        for (k, v) in extra { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        // Read both pipes to the end before waiting, so a big output cannot block the child.
        let (o, e) = (out.fileHandleForReading.readDataToEndOfFile(), err.fileHandleForReading.readDataToEndOfFile())
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }

    static func layers(_ name: String) throws -> [LayerReport] {
        try ReferenceFixtures.expectedRows(name)
    }

    /// Writes a `wwmon analyze --format json` report of WW's rows for `name` (optionally the
    /// rows repeated `copies` times under distinct names, for a big checkpoint).
    static func reportFile(_ dir: URL, _ name: String, copies: Int = 1, file: String? = nil) throws -> URL {
        let base = try layers(name)
        var rows: [LayerReport] = []
        for c in 0..<copies {
            for var r in base {
                if copies > 1 { r.name = "block\(c).\(r.name)"; r.longname = "block\(c).\(r.longname)"; r.layerID = rows.count }
                rows.append(r)
            }
        }
        let report = CheckpointReport(layers: rows, summary: Summary(rows: rows, skipped: 0),
                                      checkpoint: CheckpointInfo(path: "x", format: "safetensors"))
        let url = dir.appendingPathComponent(file ?? "\(name)-x\(copies).report.json")
        try JSONEncoder().encode(report).write(to: url)
        return url
    }

    static func tempDir() throws -> URL { try TemporaryDirectory.make("wwmon-cli") }

    @discardableResult
    static func file(_ dir: URL, _ name: String, bytes: Int) throws -> String {
        try TemporaryDirectory.file(dir, name, bytes: bytes, fill: 1)
    }

    static func jsonArray(_ text: String) throws -> [[String: Any]] {
        guard let a = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            throw CocoaError(.coderReadCorrupt)
        }
        return a
    }
}

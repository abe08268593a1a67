import Analysis
import Foundation
import Metrics
import Store
import TestSupport

/// Real WeightWatcher 0.7.7 output (Tests/Fixtures/reference) turned into reports, and temp dirs.
enum Fixtures {

    /// The rows WW produced for `case` (e.g. `c_mixed_f32__st`).
    static func layers(_ name: String) throws -> [LayerReport] {
        try ReferenceFixtures.expectedRows(name)
    }

    static func report(_ name: String, path: String, step: Int?, hashes: [String: String] = [:]) throws -> CheckpointReport {
        let rows = try layers(name)
        return CheckpointReport(layers: rows, summary: Summary(rows: rows, skipped: 0),
                                checkpoint: CheckpointInfo(path: path, format: "safetensors", step: step,
                                                           stepSource: step == nil ? nil : "name",
                                                           tensorHashes: hashes))
    }

    /// A fresh directory under the system temp dir, removed by the caller's `defer`.
    static func tempDir() throws -> URL { try TemporaryDirectory.make("wwmon-store") }

    /// Writes `bytes` to a real file so it has a real identity (size, mtime, inode, device).
    @discardableResult
    static func file(_ dir: URL, _ name: String, bytes: Int) throws -> String {
        try TemporaryDirectory.file(dir, name, bytes: bytes, fill: 7)
    }
}

/// JSON text of a value: compares reports including NaN (which `==` never equates).
func json<T: Encodable>(_ v: T) throws -> String {
    let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
    return String(decoding: try e.encode(v), as: UTF8.self)
}

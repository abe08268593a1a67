import Foundation
import TestSupport

/// The repository root: the first folder above this file that holds Package.swift.
let repoRoot = RepositoryPaths.root

/// A fresh temporary directory, removed by the caller with `cleanup()`.
struct TempDir {
    let url: URL
    var path: String { url.path }
    init(_ label: String = "wwmon-daemon") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func sub(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}


/// Writes a valid safetensors file: one F32 matrix of `rows x cols` (values vary with `seed`),
/// laid out exactly as the reference writer does (8-byte LE header length, JSON header padded
/// with spaces to 8 bytes, then data).
func safetensorsBytes(rows: Int = 8, cols: Int = 4, seed: Int = 1, name: String = "layer.weight") -> Data {
    let count = rows * cols
    var header = "{\"\(name)\":{\"dtype\":\"F32\",\"shape\":[\(rows),\(cols)],\"data_offsets\":[0,\(count * 4)]}}"
    while (header.utf8.count) % 8 != 0 { header += " " }
    var d = Data()
    var n = UInt64(header.utf8.count).littleEndian
    withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
    d.append(contentsOf: Array(header.utf8))
    for i in 0..<count {
        var v = Float(((i * 7919 + seed * 104729) % 1000)) / 1000 - 0.5
        withUnsafeBytes(of: &v) { d.append(contentsOf: $0) }
    }
    return d
}

@discardableResult
func writeSafetensors(_ path: String, rows: Int = 8, cols: Int = 4, seed: Int = 1,
                      name: String = "layer.weight") throws -> Data {
    let d = safetensorsBytes(rows: rows, cols: cols, seed: seed, name: name)
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                            withIntermediateDirectories: true)
    try d.write(to: URL(fileURLWithPath: path))
    return d
}

func writeText(_ path: String, _ text: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                            withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

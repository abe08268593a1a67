import Foundation
import TestSupport
@testable import Checkpoint

/// Paths and file helpers shared by the Checkpoint tests.
enum TestPaths {
    /// The directory holding Package.swift, found by walking up from this file.
    static let repoRoot = RepositoryPaths.root

    static func casePath(_ name: String, _ file: String = "model.safetensors") throws -> String {
        try ReferenceFixtures.casePath(name, file)
    }

    static let caseNames = ReferenceFixtures.caseNames
}

/// A fresh temporary directory, removed when the value is released.
final class TempDir {
    let path: String
    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-ckpt-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    func subdir(_ name: String) throws -> String {
        let p = file(name)
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }
}

/// Writes safetensors bytes the way the reference writer does (§1.1, §1.3): JSON header padded
/// with spaces to a multiple of 8, tensors laid out contiguously in the given order.
enum SafetensorsWriter {
    struct Tensor {
        var name: String
        var dtype: String
        var shape: [Int]
        var data: [UInt8]
    }

    static func bytes(_ tensors: [Tensor], metadata: [String: String]? = nil) -> [UInt8] {
        var parts: [String] = []
        if let metadata {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        var data: [UInt8] = []
        for t in tensors {
            parts.append("\(jsonString(t.name)):{\"dtype\":\"\(t.dtype)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + t.data.count)]}")
            offset += t.data.count
            data += t.data
        }
        return raw(header: "{" + parts.joined(separator: ",") + "}", data: data)
    }

    /// A file from a literal header text (padded with spaces to a multiple of 8) and data bytes.
    static func raw(header: String, data: [UInt8], pad: Bool = true) -> [UInt8] {
        var h = Array(header.utf8)
        if pad { while h.count % 8 != 0 { h.append(0x20) } }
        return raw(headerBytes: h, data: data)
    }

    static func raw(headerBytes h: [UInt8], data: [UInt8]) -> [UInt8] {
        leBytes(UInt64(h.count)) + h + data
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}

/// The little-endian bytes of an integer.
func leBytes<T: FixedWidthInteger>(_ x: T) -> [UInt8] {
    (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: x >> ($0 * 8)) }
}

/// The big-endian bytes of an integer.
func beBytes<T: FixedWidthInteger>(_ x: T) -> [UInt8] { leBytes(x).reversed() }

func f32Bytes(_ values: [Float]) -> [UInt8] { values.flatMap { leBytes($0.bitPattern) } }
func f64Bytes(_ values: [Double]) -> [UInt8] { values.flatMap { leBytes($0.bitPattern) } }

func readBytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

/// Runs `body` and returns the CheckpointError it throws; any other outcome is reported.
func checkpointError(_ body: () throws -> Void) -> CheckpointError? {
    do {
        try body()
        return nil
    } catch let e as CheckpointError {
        return e
    } catch {
        return nil
    }
}

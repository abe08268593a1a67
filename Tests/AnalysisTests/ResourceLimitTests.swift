import Foundation
import Metrics
import Testing
@testable import Analysis
@testable import Checkpoint

/// Issue 10, points 1 and 8 at the analysis: a layer over the memory limit fails alone, before
/// a byte is read; non-finite numbers from files are `null` in JSON.
@Suite struct ResourceLimitTests {
    static func tempFile(_ bytes: [UInt8]) throws -> String {
        let p = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-limit-\(UUID().uuidString).bin").path
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// The big layer fails with file, tensor and bytes named; the small one is still analysed.
    @Test func layerOverTheMemoryLimitFailsAlone() async throws {
        var values: [Float] = []
        var x: UInt32 = 12345
        for _ in 0..<(64 * 32) { x = x &* 1664525 &+ 1013904223; values.append(Float(x >> 8) / Float(1 << 24) - 0.5) }
        let path = try Self.tempFile(values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) })
        defer { unlink(path) }
        let small = TensorRef(name: "small.weight", dtype: .f32, shape: [64, 32], file: path, offset: 0)
        // A stride-0 view: 6 GB as float64 over 4 stored bytes.
        let huge = TensorRef(name: "huge.weight", dtype: .f32, shape: [50000, 15000], file: path, offset: 0, strides: [0, 0])
        let contents = CheckpointContents(path: path, format: .safetensors, tensors: [huge, small], files: [path])
        let analyzer = Analyzer(options: AnalysisOptions(concurrency: 1, memoryLimitBytes: 64 << 20))
        let report = try await analyzer.analyze(contents)
        #expect(report.layers.count == 2)
        let failed = try #require(report.layers.first { $0.longname.hasPrefix("huge") })
        #expect(failed.status == "failed")
        #expect(failed.reason?.contains(path) == true && failed.reason?.contains("\"huge.weight\"") == true
                && failed.reason?.contains("needs 13800000000 bytes") == true, "\(failed.reason ?? "")")
        #expect(report.layers.first { $0.longname.hasPrefix("small") }?.status == "success")
    }

    @Test func detectedLimitHonoursUlimitV() {
        // In-process we can only check it is positive and below physical memory.
        let l = MemoryLimit.detect().bytes
        #expect(l > 0 && l <= ProcessInfo.processInfo.physicalMemory)
        #expect(MemoryLimit.layerBytes(shape: [1 << 40, 1 << 40], workingBytes: 0) == .max)
    }

    /// A NaN epoch (safetensors metadata, trainer_state.json) broke `--json` with an
    /// EncodingError naming no file.
    @Test func nonFiniteEpochAndTrainingMetricsEncodeAsNull() throws {
        let info = CheckpointInfo(path: "/x", format: "safetensors", step: 1, epoch: .nan,
                                  training: ["loss": .infinity, "lr": 0.1])
        let json = String(decoding: try JSONEncoder().encode(info), as: UTF8.self)
        #expect(json.contains("\"epoch\":null") && json.contains("\"loss\":null") && json.contains("\"lr\":0.1"), "\(json)")
        let back = try JSONDecoder().decode(CheckpointInfo.self, from: Data(json.utf8))
        #expect(back.epoch == nil && back.training == ["lr": 0.1])
    }
}

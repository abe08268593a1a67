import Analysis
import Foundation
import GRDB
import Metrics
import Testing
@testable import Store

/// Layers' eigenvalues in the store: the codec, the retention rule, and the read queries.
@Suite("Stored spectra (ESD)")
struct SpectraTests {
    /// A real analysis of two small random layers (the analyzer's own eigenvalues).
    static func report(path: String, step: Int, seed: UInt64) -> CheckpointReport {
        var state = seed
        func normal() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u1 = (Double(state >> 11) + 0.5) / Double(1 << 53)
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u2 = (Double(state >> 11) + 0.5) / Double(1 << 53)
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
        var rows: [LayerReport] = []
        for (i, shape) in [[48, 32], [40, 40]].enumerated() {
            let plan = try! LayerPlanning.plan(name: "l\(i).weight", shape: shape, isFloat: true, dtypeName: "F32", layerID: i).get()
            rows += LayerMetrics.analyze(plan, weights: (0..<shape[0] * shape[1]).map { _ in normal() })
        }
        return CheckpointReport(layers: rows, summary: Summary(rows: rows, skipped: 0),
                                checkpoint: CheckpointInfo(path: path, format: "safetensors", step: step))
    }

    @Test("The codec gives back every float32 bit-exactly, and sorted spectra compress")
    func codecRoundTrip() throws {
        let values = (0..<3000).map { Float(pow(1.003, Double($0))) * 1e-3 }
        let bytes = try SpectrumCodec.encode(values)
        #expect(try SpectrumCodec.decode(bytes, count: values.count) == values)
        #expect(bytes.count < values.count * 4 * 3 / 4, "\(bytes.count) bytes for \(values.count) floats")
        #expect(try SpectrumCodec.decode(try SpectrumCodec.encode([]), count: 0) == [])
        // A Gram eigensolver's tiny negative eigenvalue and zeros survive the delta coding.
        let odd: [Float] = [-1e-17, 0, 0, 1e-30, 3.5, 3.5, .greatestFiniteMagnitude]
        #expect(try SpectrumCodec.decode(try SpectrumCodec.encode(odd), count: odd.count) == odd)
        #expect(throws: SpectrumCodec.Failure.self) { try SpectrumCodec.decode(Array(bytes.prefix(20)), count: values.count) }
    }

    @Test("The analyzer's eigenvalues are stored with the rows and read back per layer and step")
    func recordsAndReads() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        let f = try Fixtures.file(dir, "a.safetensors", bytes: 10)
        let r = Self.report(path: f, step: 5, seed: 1)
        _ = try store.record(run: "r", root: nil, report: r, identity: .of(path: f), durationSeconds: 1, spectra: SpectrumRetention())
        let s = try #require(try store.spectrum(run: "r", layer: "l1", step: 5))
        #expect(s.step == 5 && s.eigenvalues == r.layers[1].eigenvalues)
        #expect(s.eigenvalues.count == 40 && s.eigenvalues == s.eigenvalues.sorted())
        // What the fit used is in there: xmin is one of the stored eigenvalues (to float32).
        #expect(s.eigenvalues.contains(Float(r.layers[1].xmin)))
        #expect(try store.spectrumSteps(run: "r", layer: "l0") == [5])
        #expect(try store.spectrum(run: "r", layer: "l0", step: 6) == nil)
        #expect(throws: StoreError.self) { try store.spectrum(run: "r", layer: "nope", step: nil) }
        #expect(throws: StoreError.self) { try store.spectrum(run: "nope", layer: "l0", step: nil) }
        // Without a retention rule (`esd = false`) nothing is kept.
        let g = try Fixtures.file(dir, "b.safetensors", bytes: 11)
        _ = try store.record(run: "r", root: nil, report: Self.report(path: g, step: 6, seed: 2), identity: .of(path: g), durationSeconds: 1)
        #expect(try store.spectrumSteps(run: "r", layer: "l0") == [5])
    }

    @Test("A layer reused from identical bytes (no eigenvalues handed out) takes the stored spectrum of that content")
    func reusedLayersShareTheirSpectrum() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        let hashes = ["l0": "xxh64:aaaa", "l1": "xxh64:bbbb"]
        let f = try Fixtures.file(dir, "a.safetensors", bytes: 10)
        var first = Self.report(path: f, step: 1, seed: 3)
        first.checkpoint.tensorHashes = hashes
        _ = try store.record(run: "r", root: nil, report: first, identity: .of(path: f), durationSeconds: 1, spectra: SpectrumRetention())
        let g = try Fixtures.file(dir, "b.safetensors", bytes: 11)
        // l0 changed; l1 is frozen: reused rows come without eigenvalues, as the analyzer's reuse path hands them.
        var second = Self.report(path: g, step: 2, seed: 4)
        second.checkpoint.tensorHashes = ["l0": "xxh64:cccc", "l1": "xxh64:bbbb"]
        second.layers[1] = first.layers[1]
        second.layers[1].eigenvalues = nil
        _ = try store.record(run: "r", root: nil, report: second, identity: .of(path: g), durationSeconds: 1, spectra: SpectrumRetention())
        #expect(try store.spectrum(run: "r", layer: "l1", step: 2)?.eigenvalues == first.layers[1].eigenvalues)
        #expect(try store.spectrumSteps(run: "r", layer: "l0") == [1, 2])
    }

    @Test("Retention keeps every checkpoint of the newest N and every k-th before them")
    func retention() throws {
        let dir = try Fixtures.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HistoryStore(path: dir.appendingPathComponent("w.db").path)
        let rule = SpectrumRetention(keepLast: 3, every: 4)
        for i in 0..<12 {
            let f = try Fixtures.file(dir, "c\(i).safetensors", bytes: 10 + i)
            _ = try store.record(run: "r", root: nil, report: Self.report(path: f, step: i * 10, seed: UInt64(i)),
                                 identity: .of(path: f), durationSeconds: 1, spectra: rule)
        }
        // Ordinals 0…11: 0, 4, 8 by the every-4th rule; 9, 10, 11 as the newest three.
        let expected = [0, 40, 80, 90, 100, 110]
        #expect(try store.spectrumSteps(run: "r", layer: "l0") == expected)
        #expect(try store.spectrumSteps(run: "r", layer: "l1") == expected)
        #expect((0..<12).filter { rule.keeps(ordinal: $0, of: 12) }.map { $0 * 10 } == expected)
        // Deleting a checkpoint's run cascades to its spectra.
        try store.write { db in try db.execute(sql: "DELETE FROM runs") }
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM layer_spectra") } == 0)
    }
}

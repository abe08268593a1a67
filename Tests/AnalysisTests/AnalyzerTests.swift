import Analysis
import Checkpoint
import Foundation
import Metrics
import Testing

@Suite struct AnalyzerTests {
    /// Same rows up to float64 round-off: one or two BLAS threads sum in different orders.
    static func same(_ a: [LayerReport], _ b: [LayerReport]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in
            x.name == y.name && x.matrixRank == y.matrixRank && x.numPLSpikes == y.numPLSpikes
                && [(x.alpha, y.alpha), (x.D, y.D), (x.xmin, y.xmin), (x.logNorm, y.logNorm),
                    (x.entropy, y.entropy), (x.logAlphaNorm, y.logAlphaNorm)]
                .allSatisfy { abs($0 - $1) <= 1e-9 * max(abs($0), abs($1)) }
        }
    }

    @Test("layers computed in parallel, one at a time, or under a tiny memory budget give the same rows")
    func schedulingDoesNotChangeNumbers() async throws {
        let path = try ReferenceCases.model("c_mixed_f32")
        let parallel = try await Analyzer(options: AnalysisOptions(concurrency: 2)).analyze(path: path)
        let serial = try await Analyzer(options: AnalysisOptions(concurrency: 1)).analyze(path: path)
        let squeezed = try await Analyzer(options: AnalysisOptions(concurrency: 2, memoryBudgetBytes: 1)).analyze(path: path)
        #expect(Self.same(parallel.layers, serial.layers))
        #expect(Self.same(parallel.layers, squeezed.layers))
        #expect(parallel.layers.map(\.layerID) == [0, 1, 2, 3, 4, 5, 6])
    }

    @Test("analyses running at once, one with 2 BLAS threads and one with 1, each give exactly their results alone")
    func concurrentAnalysesAreDeterministic() async throws {
        let path = try ReferenceCases.model("c_mixed_f32")
        let soloOptions = AnalysisOptions(concurrency: 1)          // every layer on all cores
        let sharedOptions = AnalysisOptions(concurrency: 2)        // layers side by side, one thread each
        let soloAlone = try await Analyzer(options: soloOptions).analyze(path: path)
        let sharedAlone = try await Analyzer(options: sharedOptions).analyze(path: path)
        for _ in 0..<3 {
            async let a = Analyzer(options: soloOptions).analyze(path: path)
            async let b = Analyzer(options: sharedOptions).analyze(path: path)
            let (ra, rb) = try await (a, b)
            #expect(ra.layers == soloAlone.layers)
            #expect(rb.layers == sharedAlone.layers)
        }
    }

    @Test("with reuse, a layer whose content key is known takes the earlier rows and is not recomputed")
    func reuseByContent() async throws {
        let path = try ReferenceCases.model("c_mixed_f32")
        let first = try await Analyzer().analyze(CheckpointReader.open(path), reuse: { _ in nil })
        #expect(first.checkpoint.tensorHashes.count == 7)
        let key2 = first.checkpoint.tensorHashes["layers.2"]!
        // Marked rows prove the earlier result was used instead of a recomputation.
        var marked = first.layers[2]
        marked.alpha = 42
        marked.name = "stale-name"
        let m = marked
        let second = try await Analyzer().analyze(CheckpointReader.open(path), reuse: { key in
            key == key2 ? [m] : nil
        })
        #expect(second.layers[2].alpha == 42)
        #expect(second.layers[2].name == "layers.2")       // identity comes from this checkpoint
        #expect(Self.same([second.layers[3]], [first.layers[3]]))
        #expect(second.checkpoint.tensorHashes == first.checkpoint.tensorHashes)
    }

    @Test("f16 and bf16 copies of a case give distinct content keys from the f32 original")
    func contentKeysDistinguishDtypes() async throws {
        let f32 = try await Analyzer().analyze(CheckpointReader.open(ReferenceCases.model("c_mixed_f32")), reuse: { _ in nil })
        let f16 = try await Analyzer().analyze(CheckpointReader.open(ReferenceCases.model("e_mixed_f16")), reuse: { _ in nil })
        #expect(Set(f32.checkpoint.tensorHashes.values).isDisjoint(with: f16.checkpoint.tensorHashes.values))
    }
}

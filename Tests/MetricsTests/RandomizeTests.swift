import Foundation
@testable import Metrics
import Testing

/// The randomize building blocks against numpy and scipy themselves.
@Suite struct RandomizeTests {
    @Test("NumpyLegacyShuffle draws numpy's np.random.seed(s); np.random.permutation(n) (numpy 2.4.6)")
    func matchesNumpy() {
        var a = NumpyLegacyShuffle(seed: 42)
        #expect(a.permutation(count: 10) == [8, 1, 5, 0, 7, 2, 9, 4, 3, 6])
        #expect(Array(a.permutation(count: 70000).prefix(5)) == [41569, 63665, 41860, 13037, 43727])
        var b = NumpyLegacyShuffle(seed: 4_294_967_295)
        #expect(b.permutation(count: 7) == [1, 5, 0, 6, 4, 2, 3])
    }

    @Test("per-layer generators differ by layer and repeat for the same seed and layer")
    func perLayerStreams() {
        var a = NumpyLegacyShuffle.forLayer(seed: 7, layerID: 3), b = NumpyLegacyShuffle.forLayer(seed: 7, layerID: 3)
        var c = NumpyLegacyShuffle.forLayer(seed: 7, layerID: 4), d = NumpyLegacyShuffle.forLayer(seed: 8, layerID: 3)
        let p = a.permutation(count: 50)
        #expect(p == b.permutation(count: 50))
        #expect(p != c.permutation(count: 50) && p != d.permutation(count: 50))
    }

    @Test("Jensen–Shannon distance as WW's RMT_Util.jensen_shannon_distance: 0 for equal vectors, zeros allowed, symmetric")
    func jensenShannon() {
        #expect(Randomize.jensenShannonDistance([1, 2, 3], [1, 2, 3]) == 0)
        let d = Randomize.jensenShannonDistance([0, 1, 2, 3], [1, 1, 1, 1])
        #expect(abs(d - Randomize.jensenShannonDistance([1, 1, 1, 1], [0, 1, 2, 3])) < 1e-15)
        // weightwatcher.RMT_Util.jensen_shannon_distance([0,1,2,3], [1,1,1,1]) (m of the raw
        // vectors, unlike scipy's jensenshannon, which averages the normalised ones)
        #expect(abs(d - 0.34502340188593716) < 1e-12)
    }
}

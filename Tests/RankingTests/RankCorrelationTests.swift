import Testing
@testable import Ranking

/// Values printed by scripts/rank/reference_stats.py (scipy 1.17.1: `spearmanr`, `kendalltau`
/// defaults = tau-b; nil where scipy returns NaN).
let scipyCases: [(String, [Double], [Double], Double?, Double?)] = [
    ("noTies", [1.2, 3.4, 2.2, 5.0, 4.1, 0.3, 2.9], [0.51, 0.62, 0.4, 0.93, 0.7, 0.11, 0.66], 0.9285714285714288, 0.8095238095238096),
    ("tiesInX", [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0, 5.0], [3.1, 2.0, 5.5, 4.4, 6.0, 1.0, 7.2, 8.0], 0.5524071931577659, 0.46291004988627577),
    ("tiesInBoth", [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 5.0, 5.0], [2.0, 1.0, 1.0, 3.0, 3.0, 3.0, 5.0, 4.0, 4.0], 0.8695980950674562, 0.7302507302510954),
    ("negative", [3.1, 2.9, 4.4, 5.0, 3.8, 4.9, 3.3], [0.9, 0.93, 0.71, 0.6, 0.8, 0.66, 0.95], -0.8928571428571429, -0.8095238095238096),
    ("constantY", [1.0, 2.0, 3.0, 4.0], [0.5, 0.5, 0.5, 0.5], nil, nil),
    ("jointTies", [1.0, 1.0, 1.0, 2.0, 2.0, 3.0], [5.0, 5.0, 4.0, 4.0, 4.0, 1.0], -0.8333333333333335, -0.8181818181818182),
]

func close(_ a: Double?, _ b: Double?, _ tol: Double = 1e-12) -> Bool {
    switch (a, b) {
    case (nil, nil): true
    case let (a?, b?): abs(a - b) <= tol
    default: false
    }
}

@Suite struct RankCorrelationTests {
    @Test("Spearman's rho equals scipy.stats.spearmanr on fixed data, ties and constant input included",
          arguments: scipyCases.map(\.0))
    func spearmanMatchesScipy(_ name: String) {
        let c = scipyCases.first { $0.0 == name }!
        let rho = RankCorrelation.spearman(c.1, c.2)
        #expect(close(rho, c.3), "\(name): \(String(describing: rho)) vs scipy \(String(describing: c.3))")
    }

    @Test("Kendall's tau-b equals scipy.stats.kendalltau (default variant) on fixed data, ties included",
          arguments: scipyCases.map(\.0))
    func kendallMatchesScipy(_ name: String) {
        let c = scipyCases.first { $0.0 == name }!
        let tau = RankCorrelation.kendallTauB(c.1, c.2)
        #expect(close(tau, c.4), "\(name): \(String(describing: tau)) vs scipy \(String(describing: c.4))")
    }

    @Test("Average ranks give tied values the mean of their positions, as scipy.stats.rankdata")
    func averageRanksMatchRankdata() {
        #expect(RankCorrelation.averageRanks([1, 1, 2, 2, 3, 3, 4, 5, 5]) == [1.5, 1.5, 3.5, 3.5, 5.5, 5.5, 7, 8.5, 8.5])
        #expect(RankCorrelation.averageRanks([3, 1, 2]) == [3, 1, 2])
    }

    @Test("Fewer than two points have no correlation")
    func tooFewPoints() {
        #expect(RankCorrelation.spearman([1], [2]) == nil)
        #expect(RankCorrelation.kendallTauB([], []) == nil)
    }

    @Test("The least-squares line equals numpy.polyfit(x, y, 1); constant x has none")
    func linearFitMatchesPolyfit() throws {
        let c = scipyCases[0]
        let fit = try #require(LinearFit(x: c.1, y: c.2))
        #expect(abs(fit.slope - 0.14616892373485388) < 1e-12)
        #expect(abs(fit.intercept - 0.16259622238061322) < 1e-12)
        #expect(LinearFit(x: [2, 2, 2], y: [1, 2, 3]) == nil)
    }
}

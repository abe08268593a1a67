import Testing
@testable import Ranking

/// Builds a point with the four WW metrics derived from `alpha` (or given) and a target.
func point(_ run: String, _ group: String, alpha: Double, aw: Double? = nil, lsn: Double = 0,
           acc: Double?) -> SweepPoint {
    SweepPoint(run: run, group: group, step: 100,
               metrics: [.alpha: alpha, .alphaWeighted: aw ?? alpha, .logSpectralNorm: lsn, .logNorm: 1],
               training: acc.map { ["test_accuracy": $0] } ?? [:])
}

@Suite struct ParadoxTests {
    /// The post's picture: within each depth, larger log spectral norm goes with lower accuracy;
    /// deeper nets have both larger norms and higher accuracy, so pooled the sign flips.
    static let simpson: [SweepPoint] = (0..<3).flatMap { depth in
        (0..<5).map { i in
            point("d\(depth)-\(i)", "depth\(depth)", alpha: 3, lsn: Double(depth) * 10 + Double(i),
                  acc: 0.5 + Double(depth) * 0.2 - Double(i) * 0.01)
        }
    }

    @Test("Paradox fires on constructed data: negative within every group, positive pooled")
    func firesOnSimpsonData() throws {
        let found = Paradox.find(Correlation.sweep(Self.simpson, target: "test_accuracy"))
        let p = try #require(found.first { $0.metric == .logSpectralNorm })
        #expect(p.pooled > 0)
        #expect(p.within.count == 3 && p.within.values.allSatisfy { $0 == -1 })
        #expect(found.count == 1, "only log_spectral_norm varies here: \(found.map(\.metric))")
    }

    @Test("Paradox does not fire when groups and pooled agree")
    func quietWhenSignsAgree() {
        let consistent = (0..<3).flatMap { depth in
            (0..<5).map { i in
                point("d\(depth)-\(i)", "depth\(depth)", alpha: 3, lsn: Double(depth) * 10 + Double(i),
                      acc: 0.5 + Double(depth) * 0.2 + Double(i) * 0.01)
            }
        }
        #expect(Paradox.find(Correlation.sweep(consistent, target: "test_accuracy")).isEmpty)
    }

    @Test("Paradox needs a majority of groups against the pooled sign, and at least two groups")
    func majorityRule() {
        #expect(Paradox.isParadox(pooled: 0.5, within: [-0.2, -0.9, 0.4]))
        #expect(!Paradox.isParadox(pooled: 0.5, within: [-0.2, 0.9, 0.4]))
        #expect(!Paradox.isParadox(pooled: 0.5, within: [-0.2, 0.9]))      // a tie is no majority
        #expect(!Paradox.isParadox(pooled: 0.5, within: [-0.9]))           // one group: nothing to pool
        #expect(!Paradox.isParadox(pooled: 0, within: [-0.2, -0.9]))       // no pooled sign
        #expect(Paradox.isParadox(pooled: -0.1, within: [0.3, 0.2, 0]))   // zero rho counts for neither
    }
}

@Suite struct SweepCorrelationTests {
    @Test("Correlations are reported pooled and per group with their counts; runs without the target are left out")
    func scopesAndCounts() throws {
        var pts = ParadoxTests.simpson
        pts.append(point("no-eval", "depth0", alpha: 3, lsn: 1, acc: nil))
        let cs = Correlation.sweep(pts, target: "test_accuracy")
        #expect(cs.count == SweepMetric.allCases.count * 4)
        let pooled = try #require(cs.first { $0.metric == .logSpectralNorm && $0.scope == .pooled })
        #expect(pooled.n == 15)
        let g0 = try #require(cs.first { $0.metric == .logSpectralNorm && $0.scope == .group("depth0") })
        #expect(g0.n == 5 && g0.spearman == -1 && g0.kendall == -1)
        // alpha is the same for every run: no correlation, but still a row with its count.
        let alpha = try #require(cs.first { $0.metric == .alpha && $0.scope == .pooled })
        #expect(alpha.n == 15 && alpha.spearman == nil && alpha.kendall == nil)
    }

    @Test("Fewer than three runs with the target give no coefficient")
    func minimumPoints() {
        let c = Correlation(metric: .alpha, target: "acc", scope: .pooled,
                            points: [point("a", "g", alpha: 2, acc: nil), point("b", "g", alpha: 3, acc: nil)]
                                .map { var p = $0; p.training = ["acc": p.value(.alpha)]; return p })
        #expect(c.n == 2 && c.spearman == nil)
    }
}

@Suite struct RankingTests {
    @Test("Runs are ranked by ⟨alpha⟩ within their group and by ⟨alpha_weighted⟩ overall; ties share a rank, NaN is unranked")
    func ranks() {
        let pts = [point("a", "g1", alpha: 3.0, aw: 1.0, acc: nil), point("b", "g1", alpha: 2.5, aw: 4.0, acc: nil),
                   point("c", "g2", alpha: 4.0, aw: 2.0, acc: nil), point("d", "g2", alpha: 4.0, aw: 2.0, acc: nil),
                   point("e", "g2", alpha: .nan, aw: .nan, acc: nil)]
        let r = Ranking.rank(pts)
        #expect(r.map(\.point.run) == ["b", "a", "c", "d", "e"])
        #expect(r.map(\.inGroup) == [1, 2, 1, 1, nil])
        #expect(r.map(\.overall) == [4, 1, 2, 2, nil])
    }

    @Test("Architecture groups: same ordered shapes, same name; another order or shape, another name")
    func fingerprint() {
        typealias S = ArchitectureFingerprint.Shape
        let a = [S(n: 128, m: 64, rf: 1), S(n: 128, m: 128, rf: 1), S(n: 10, m: 128, rf: 1)]
        #expect(ArchitectureFingerprint.group(a) == ArchitectureFingerprint.group(a))
        #expect(ArchitectureFingerprint.group(a).hasPrefix("3L-"))
        #expect(ArchitectureFingerprint.group(a) != ArchitectureFingerprint.group(a.reversed()))
        #expect(ArchitectureFingerprint.group(a) != ArchitectureFingerprint.group(Array(a.prefix(2))))
        // Pinned: the name must not change between processes or releases.
        #expect(ArchitectureFingerprint.group([S(n: 2, m: 3, rf: 1)]) == "1L-752f6622")  // FNV-1a of "2x3x1;", by hand
    }
}

@Suite struct ScatterSVGTests {
    @Test("The scatter plot has one circle per finite point, one colour and one fit line per group, escaped labels")
    func scatter() {
        let pts = ParadoxTests.simpson.map { (group: $0.group, run: $0.run, x: $0.value(.logSpectralNorm),
                                              y: $0.training["test_accuracy"]!) }
            + [(group: "depth0", run: "nan", x: .nan, y: 1)]
        let svg = ScatterSVG(title: "<lsn> vs acc & more", xLabel: "⟨log_spectral_norm⟩", yLabel: "test_accuracy",
                             points: pts).render()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<title>").count - 1 == 15)
        #expect(svg.components(separatedBy: "class=\"fit\"").count - 1 == 3)
        #expect(svg.components(separatedBy: "class=\"group\"").count - 1 == 3)
        #expect(svg.contains("&lt;lsn&gt; vs acc &amp; more"))
        for colour in ScatterSVG.palette.prefix(3) { #expect(svg.contains("fill=\"\(colour)\"")) }
    }

    @Test("Axis ticks are round numbers covering the data")
    func ticks() {
        let t = ScatterSVG.niceTicks([0.13, 0.92])
        #expect(t.lo <= 0.13 && t.hi >= 0.92)
        #expect((4...7).contains(t.ticks.count))
        for (a, b) in zip(t.ticks, t.ticks.dropFirst()) { #expect(abs(b - a - 0.2) < 1e-9) }
        #expect(ScatterSVG.niceTicks([2, 2]).lo < 2)
    }
}

import Foundation
import Testing
import TestSupport
@testable import Metrics

/// WWDefaults holds the same numbers as the committed record of WW 0.7.7's defaults
/// (Tests/Fixtures/reference/ww-defaults.json), so the constants cannot drift from their source.
@Suite struct WWDefaultsTests {
    @Test func constantsEqualTheRecordedDefaults() throws {
        let url = ReferenceFixtures.root.appendingPathComponent("ww-defaults.json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MissingFixture(path: url.path, remedy: "committed with the repository")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        func number(_ section: String, _ key: String) throws -> Double {
            let s = try #require(json[section] as? [String: Any], "\(section)")
            return try #require((s[key] as? NSNumber)?.doubleValue, "\(section).\(key)")
        }
        #expect(try number("layer_selection", "min_evals") == Double(WWDefaults.minEvals))
        #expect(try number("layer_selection", "max_evals") == Double(WWDefaults.maxEvals))
        #expect(try number("layer_selection", "max_N") == Double(WWDefaults.maxN))
        #expect(try number("powerlaw_fit", "evals_thresh") == WWDefaults.evalsThreshold)
        #expect(try number("esd", "tolerance_weak_rank_loss") == WWDefaults.weakRankTolerance)
        #expect(try number("entropy_constants", "epsilon_cpu_host") == WWDefaults.entropyEpsilon)
        #expect(try number("warnings", "over_trained_if_alpha_below") == WWDefaults.overTrained)
        #expect(try number("warnings", "under_trained_if_alpha_above") == WWDefaults.underTrained)
        #expect(try number("powerlaw_fit", "small_n_cutoff") == Double(WWDefaults.smallNCutoff))
        #expect(try number("powerlaw_fit", "small_n_min_tail") == Double(WWDefaults.smallNMinTail))
    }
}

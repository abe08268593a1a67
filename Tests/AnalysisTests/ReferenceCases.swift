import Foundation
import TestSupport

/// The committed reference (Tests/Fixtures/reference): weight files and WeightWatcher 0.7.7's own
/// output for each.
enum ReferenceCases {
    static let repoRoot = RepositoryPaths.root

    /// (case folder, expected-output stem, pool). WW's pool = False changes only conv layers (it
    /// adds slice_id = 0 to dense rows), so dense cases with pool = false compare with the
    /// default output; the conv case has its own pool = false output.
    static let all: [(String, String, Bool)] = [
        ("a_gaussian_1000x500", "a_gaussian_1000x500__st", false),
        ("b_pareto2_1000x500", "b_pareto2_1000x500__st", false),
        ("c_mixed_f32", "c_mixed_f32__st", false),
        ("e_mixed_f16", "e_mixed_f16__st", false),
        ("e_mixed_bf16", "e_mixed_bf16__st", false),
        ("a_gaussian_1000x500", "a_gaussian_1000x500__st", true),
        ("b_pareto2_1000x500", "b_pareto2_1000x500__st", true),
        ("c_mixed_f32", "c_mixed_f32__st", true),
        ("d_conv2d_64x32x3x3", "d_conv2d_64x32x3x3__st", true),
        ("d_conv2d_64x32x3x3", "d_conv2d_64x32x3x3__st__pool-false", false),
        ("e_mixed_f16", "e_mixed_f16__st", true),
        ("e_mixed_bf16", "e_mixed_bf16__st", true),
    ]

    static func model(_ name: String) throws -> String {
        try ReferenceFixtures.casePath(name)
    }

    /// The `layers` array of an expected details JSON, as dictionaries.
    static func expectedLayers(_ stem: String) throws -> [[String: Any]] {
        let data = try ReferenceFixtures.expectedData(stem, "details")
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let layers = obj["layers"] as? [[String: Any]] else { throw BadFixture(stem: stem) }
        return layers
    }

    static func expectedSummary(_ stem: String) throws -> [String: Double] {
        let data = try ReferenceFixtures.expectedData(stem, "summary")
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let summary = obj["summary"] as? [String: Any] else { throw BadFixture(stem: stem) }
        return summary.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }

    struct BadFixture: Error, CustomStringConvertible {
        var stem: String
        var description: String { "Tests/Fixtures/reference/expected/\(stem): not WeightWatcher's JSON layout" }
    }
}

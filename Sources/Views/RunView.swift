import Foundation
import Store

/// `wwmon runs --json` element and `GET /api/v1/runs`; `run, root, checkpoints, first_step,
/// last_step` are the contract.
public struct RunView: Encodable, Sendable {
    public var overview: RunOverview
    public init(_ overview: RunOverview) { self.overview = overview }

    enum K: String, CodingKey {
        case run, root, checkpoints, errors, firstStep = "first_step", lastStep = "last_step"
        case lastAnalyzedAt = "last_analyzed_at", lastAlpha = "last_alpha"
        case lastAlphaWeighted = "last_alpha_weighted", alertsFiring = "alerts_firing"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: K.self)
        let o = overview
        try c.encode(o.run, forKey: .run); try c.encodeOrNull(o.root, forKey: .root)
        try c.encode(o.checkpoints, forKey: .checkpoints); try c.encode(o.errors, forKey: .errors)
        try c.encodeOrNull(o.firstStep, forKey: .firstStep); try c.encodeOrNull(o.lastStep, forKey: .lastStep)
        try c.encodeOrNull(o.lastAnalyzedAt, forKey: .lastAnalyzedAt)
        try c.encodeNumber(o.lastAlpha, forKey: .lastAlpha)
        try c.encodeNumber(o.lastAlphaWeighted, forKey: .lastAlphaWeighted)
        try c.encode(o.alertsFiring, forKey: .alertsFiring)
    }

    /// The whole `--json` document.
    public static func json(_ runs: [RunOverview]) throws -> String { try MachineJSON.array(runs.map(RunView.init)) }
}

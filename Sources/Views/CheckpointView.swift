import Foundation
import Metrics
import Store

/// `wwmon checkpoints RUN --json` element and `GET /api/v1/checkpoints?run=RUN`; `run, step,
/// epoch, path, status, error, analyzed_at, summary, step_source, training` are the contract
/// (summary null for unreadable or vanished checkpoints; status ok | error | vanished;
/// training `{}` when none).
public struct CheckpointView: Encodable, Sendable {
    public var c: CheckpointRecord
    public init(_ c: CheckpointRecord) { self.c = c }

    enum K: String, CodingKey {
        case run, step, epoch, path, status, error, analyzedAt = "analyzed_at", summary
        case version, stepSource = "step_source", format, durationSeconds = "duration_seconds"
        case file, training, aliasPaths = "alias_paths"
    }

    /// Training metric values as JSON numbers (null for NaN), keys sorted by the encoder.
    public struct Training: Encodable, Sendable {
        public var values: [String: Double]
        public init(values: [String: Double]) { self.values = values }
        struct Key: CodingKey {
            var stringValue: String; var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        public func encode(to encoder: Encoder) throws {
            var k = encoder.container(keyedBy: Key.self)
            for (name, v) in values { try k.encodeNumber(v, forKey: Key(stringValue: name)) }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var k = encoder.container(keyedBy: K.self)
        try k.encode(c.run, forKey: .run); try k.encode(c.step, forKey: .step)
        try k.encodeNumber(c.epoch, forKey: .epoch); try k.encode(c.path, forKey: .path)
        try k.encode(c.status, forKey: .status); try k.encodeOrNull(c.error, forKey: .error)
        try k.encode(c.analyzedAt, forKey: .analyzedAt); try k.encodeOrNull(c.summary, forKey: .summary)
        try k.encode(c.version, forKey: .version); try k.encode(c.stepSource, forKey: .stepSource)
        try k.encodeOrNull(c.format, forKey: .format)
        try k.encodeNumber(c.durationSeconds, forKey: .durationSeconds)
        try k.encode(c.identity, forKey: .file)
        try k.encode(Training(values: c.training), forKey: .training)
        try k.encode(c.aliasPaths, forKey: .aliasPaths)
    }

    public static func json(_ cps: [CheckpointRecord]) throws -> String { try MachineJSON.array(cps.map(CheckpointView.init)) }
}

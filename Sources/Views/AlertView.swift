import Alerts
import Foundation
import Store

/// `wwmon alerts --json` element and `GET /api/v1/alerts`: `run, rule, layer, state, step,
/// value, threshold, message, fired_at, resolved_at` are the contract (layer null for
/// run-level alerts, RFC 3339 times).
public struct AlertView: Encodable, Sendable {
    public var a: StoredAlert
    public init(_ a: StoredAlert) { self.a = a }

    enum K: String, CodingKey {
        case run, rule, layer, state, step, value, threshold, message
        case firedAt = "fired_at", resolvedAt = "resolved_at"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: K.self)
        try c.encode(a.run, forKey: .run); try c.encode(a.rule, forKey: .rule)
        try c.encodeOrNull(a.layer.isEmpty ? nil : a.layer, forKey: .layer)
        try c.encode(a.state.rawValue, forKey: .state); try c.encodeOrNull(a.step, forKey: .step)
        try c.encodeNumber(a.value, forKey: .value); try c.encodeNumber(a.threshold, forKey: .threshold)
        try c.encode(a.message, forKey: .message)
        try c.encode(RFC3339.string(a.firedAt), forKey: .firedAt)
        try c.encodeOrNull(a.resolvedAt.map(RFC3339.string), forKey: .resolvedAt)
    }

    public static func json(_ alerts: [StoredAlert]) throws -> String { try MachineJSON.array(alerts.map(AlertView.init)) }
}

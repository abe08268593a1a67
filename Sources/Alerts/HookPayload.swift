import Foundation

/// The data a hook receives: `WWMON_*` variables for the first event of the batch and one
/// Alertmanager-like JSON document listing every event of the batch.
public struct HookPayload: Sendable {
    public var hook: String
    public var events: [AlertEvent]
    /// Each event's outbox id (nil for synthetic test events): the id a hook dedupes on, since
    /// an event may be delivered again after a crash.
    public var eventIDs: [Int64?]

    public init(hook: String, events: [AlertEvent], eventIDs: [Int64?]? = nil) {
        precondition(!events.isEmpty)
        self.hook = hook; self.events = events
        self.eventIDs = eventIDs ?? Array(repeating: nil, count: events.count)
    }

    /// The hook's complete environment: PATH, HOME and WWMON_* only.
    public func environment(path: String, home: String) -> [String: String] {
        let e = events[0], a = e.alert
        var env: [String: String] = [
            "PATH": path, "HOME": home,
            "WWMON_HOOK_VERSION": "1",
            "WWMON_HOOK": hook,
            "WWMON_EVENT": e.kind.rawValue,
            "WWMON_RULE": a.fingerprint.rule.rawValue,
            "WWMON_RUN": a.fingerprint.run,
            "WWMON_STEP": String(a.step),
            "WWMON_LAYER": a.fingerprint.layer,
            "WWMON_METRIC": a.metric,
            "WWMON_VALUE": number(a.value),
            "WWMON_THRESHOLD": number(a.threshold),
            "WWMON_STATE": a.status.rawValue,
            "WWMON_MESSAGE": a.message,
            "WWMON_ALERT_ID": a.fingerprint.description,
            "WWMON_FIRED_AT": Self.rfc3339(a.firedAt),
            "WWMON_ALERT_COUNT": String(events.count),
            "WWMON_EVENT_ID": eventIDs.first.flatMap { $0.map(String.init) } ?? "",
        ]
        // execve cannot carry NUL; untrusted layer names could contain one.
        for (k, v) in env where v.contains("\0") { env[k] = v.replacingOccurrences(of: "\0", with: "\u{FFFD}") }
        return env
    }

    /// The stdin document (sorted keys; non-finite numbers are null).
    public func json() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try enc.encode(Document(self))
    }

    static func rfc3339(_ d: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(d)
    }

    func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "" }
        return String(v)
    }

    struct Document: Encodable {
        var version = "1"
        var receiver: String
        /// firing if any alert in the batch is firing (Alertmanager's group status).
        var status: String
        var groupKey: String
        var truncatedAlerts = 0
        var alerts: [Alert]

        init(_ p: HookPayload) {
            receiver = p.hook
            status = p.events.contains { $0.alert.status == .firing } ? "firing" : "resolved"
            groupKey = Array(Set(p.events.map(\.alert.fingerprint.run))).sorted().joined(separator: ",")
            alerts = zip(p.events, p.eventIDs).map { Alert($0, id: $1) }
        }
    }

    struct Alert: Encodable {
        var status: String
        var event: String
        var labels: [String: String]
        var annotations: [String: String]
        var values: Values
        var startsAt: String
        var endsAt: String?
        var fingerprint: String
        var eventID: Int64?

        init(_ e: AlertEvent, id: Int64?) {
            eventID = id
            let a = e.alert
            status = a.status.rawValue
            event = e.kind.rawValue
            labels = ["rule": a.fingerprint.rule.rawValue, "run": a.fingerprint.run,
                      "layer": a.fingerprint.layer, "metric": a.metric, "step": String(a.step)]
            annotations = ["summary": a.message]
            values = Values(value: a.value, threshold: a.threshold)
            startsAt = HookPayload.rfc3339(a.firedAt)
            endsAt = a.resolvedAt.map(HookPayload.rfc3339)
            fingerprint = a.fingerprint.description
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: K.self)
            try c.encode(status, forKey: .status); try c.encode(event, forKey: .event)
            try c.encode(labels, forKey: .labels); try c.encode(annotations, forKey: .annotations)
            try c.encode(values, forKey: .values); try c.encode(startsAt, forKey: .startsAt)
            try c.encode(endsAt, forKey: .endsAt)  // explicit null while firing
            try c.encode(fingerprint, forKey: .fingerprint)
            try c.encodeIfPresent(eventID, forKey: .eventID)
        }
        enum K: String, CodingKey { case status, event, labels, annotations, values, startsAt, endsAt, fingerprint, eventID = "eventId" }
    }

    struct Values: Encodable {
        var value: Double?
        var threshold: Double?
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: K.self)
            if let v = value, v.isFinite { try c.encode(v, forKey: .value) } else { try c.encodeNil(forKey: .value) }
            if let v = threshold, v.isFinite { try c.encode(v, forKey: .threshold) } else { try c.encodeNil(forKey: .threshold) }
        }
        enum K: String, CodingKey { case value, threshold }
    }
}

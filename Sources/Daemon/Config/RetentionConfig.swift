import Store

/// `[store.retention]`: the rules of RetentionPolicy (Sources/Store/RetentionPolicy.swift).
extension RetentionPolicy: Decodable {
    enum CodingKeys: String, CodingKey {
        case keepDays = "keep_days", keepLast = "keep_last", keepEvery = "keep_every"
        case dropRunsAfterDays = "drop_runs_after_days"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(keepDays: try c.number(.keepDays, atLeast: 0, above: nil),
                  keepLast: try c.int(.keepLast, in: 1...Int(Int32.max)),
                  keepEvery: try c.int(.keepEvery, in: 1...Int(Int32.max)),
                  dropRunsAfterDays: try c.number(.dropRunsAfterDays, atLeast: nil, above: 0))
        if let p = problem {
            throw ConfigError(key: tomlKeyPath(c.codingPath), problem: p)
        }
    }
}

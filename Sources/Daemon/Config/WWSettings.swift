import Analysis
import Metrics

/// The WeightWatcher option keys (issue 13), allowed in `[analysis]` and in each `[[watch]]`;
/// a watch's keys override the global ones key by key. Same names as the `analyze` flags.
public struct WWSettings: Sendable, Equatable {
    /// "clip_xmax", or "none" (a watch turning off a global fix).
    public var fixFingers: String?
    public var maxFingers: Int?
    public var fingerThresh: Double?
    public var conv: WWOptions.Conv?
    public var inputSize: Int?
    public var minEvals: Int?
    public var maxEvals: Int?
    public var layers: String?
    public var excludeLayers: String?
    public var layerIDs: [Int]?
    public var mpFit: Bool?
    public var randomize: Bool?
    public var seed: Int?

    public init() {}

    /// `self` with `other`'s keys where it sets them.
    public func overridden(by other: WWSettings) -> WWSettings {
        var r = self
        r.fixFingers = other.fixFingers ?? fixFingers; r.maxFingers = other.maxFingers ?? maxFingers
        r.fingerThresh = other.fingerThresh ?? fingerThresh; r.conv = other.conv ?? conv
        r.inputSize = other.inputSize ?? inputSize; r.minEvals = other.minEvals ?? minEvals
        r.maxEvals = other.maxEvals ?? maxEvals; r.layers = other.layers ?? layers
        r.excludeLayers = other.excludeLayers ?? excludeLayers; r.layerIDs = other.layerIDs ?? layerIDs
        r.mpFit = other.mpFit ?? mpFit
        r.randomize = other.randomize ?? randomize; r.seed = other.seed ?? seed
        return r
    }

    /// The analysis options these keys give (`pool` is `[analysis] pool`, which `conv` overrides).
    public func options(pool: Bool, concurrency: Int) -> AnalysisOptions {
        let fix = fixFingers.flatMap(WWOptions.FixFingers.init(rawValue:))
        let d = WWOptions()
        let ww = WWOptions(fixFingers: fix, maxFingers: maxFingers ?? d.maxFingers,
                           fingerThresh: fingerThresh ?? d.fingerThresh,
                           conv: conv ?? (pool ? .pooled : .slices), inputSize: inputSize ?? d.inputSize,
                           mpFit: mpFit ?? false, randomize: randomize ?? false, seed: UInt64(seed ?? 0))
        let sel = LayerSelection(minEvals: minEvals ?? WWDefaults.minEvals, maxEvals: maxEvals ?? WWDefaults.maxEvals,
                                 include: layers, exclude: excludeLayers, layerIDs: layerIDs ?? [])
        return AnalysisOptions(ww: ww, selection: sel, concurrency: concurrency)
    }
}

/// The config tables that take the WeightWatcher keys.
protocol WWSettingKeys: CodingKey {
    static var fixFingers: Self { get }
    static var maxFingers: Self { get }
    static var fingerThresh: Self { get }
    static var conv: Self { get }
    static var inputSize: Self { get }
    static var minEvals: Self { get }
    static var maxEvals: Self { get }
    static var layers: Self { get }
    static var excludeLayers: Self { get }
    static var layerIDs: Self { get }
    static var mpFit: Self { get }
    static var randomize: Self { get }
    static var seed: Self { get }
}

extension WWSettings {
    init<K: WWSettingKeys>(_ c: KeyedDecodingContainer<K>) throws {
        if let f = try c.string(.fixFingers) {
            let known = WWOptions.FixFingers.allCases.map(\.rawValue) + ["none"]
            guard known.contains(f) else {
                throw ConfigError(key: c.path(.fixFingers), problem: "must be one of \(known.joined(separator: ", ")) (found \"\(f)\")")
            }
            fixFingers = f
        }
        maxFingers = try c.int(.maxFingers, atLeast: 0)
        fingerThresh = try c.number(.fingerThresh, atLeast: 0)
        if let m = try c.string(.conv) {
            guard let mode = WWOptions.Conv(rawValue: m) else {
                throw ConfigError(key: c.path(.conv), problem: "must be one of pooled, slices, operator (found \"\(m)\")")
            }
            conv = mode
        }
        inputSize = try c.int(.inputSize, atLeast: 1)
        minEvals = try c.int(.minEvals, atLeast: 0)
        maxEvals = try c.int(.maxEvals, atLeast: 0)
        mpFit = try c.bool(.mpFit)
        randomize = try c.bool(.randomize)
        seed = try c.int(.seed, atLeast: 0)
        layers = try c.string(.layers)
        excludeLayers = try c.string(.excludeLayers)
        if c.contains(.layerIDs) {
            do { layerIDs = try c.decode([Int].self, forKey: .layerIDs) } catch {
                throw ConfigError(key: c.path(.layerIDs), problem: "must be an array of integers")
            }
        }
        // Patterns and id signs are checked here, so a bad one stops the daemon at start-up
        // (or a reload) rather than at the first checkpoint.
        do {
            _ = try LayerSelection(include: layers, exclude: excludeLayers, layerIDs: layerIDs ?? []).validated()
        } catch {
            throw ConfigError(key: c.path(layers != nil ? .layers : (excludeLayers != nil ? .excludeLayers : .layerIDs)),
                              problem: "\(error)")
        }
    }
}

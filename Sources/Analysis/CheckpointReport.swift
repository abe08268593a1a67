import Checkpoint
import Metrics

/// The result of analysing one checkpoint: `wwmon analyze --format json` prints
/// `{"layers": [...], "summary": {...}}` (plus a `checkpoint` object beyond WW).
public struct CheckpointReport: Sendable, Codable {
    public var layers: [LayerReport]
    public var summary: Summary
    public var checkpoint: CheckpointInfo

    public init(layers: [LayerReport], summary: Summary, checkpoint: CheckpointInfo) {
        self.layers = layers; self.summary = summary; self.checkpoint = checkpoint
    }
}

/// What the files said about the checkpoint, carried to the store.
public struct CheckpointInfo: Sendable, Codable {
    public var path: String
    public var format: String
    public var step: Int?
    public var epoch: Double?
    public var stepSource: String?
    /// Weight tensor names that were tied to another tensor: alias -> analysed name.
    public var aliases: [String: String]
    /// Content hash of each analysed tensor's bytes, by normalised layer name (for reuse).
    public var tensorHashes: [String: String]
    /// Layers whose rows were taken from an earlier analysis of identical bytes.
    public var layersReused: Int?
    /// Training metrics stored with the checkpoint (`CheckpointContents.training`).
    public var training: [String: Double] = [:]
    /// The analysis options that differ from WeightWatcher's defaults (`AnalysisOptions.recorded`).
    public var options: [String: String] = [:]
    /// `WWOptions.tag`: names the series these rows belong to; "" for WW's defaults.
    public var seriesTag: String = ""

    enum CodingKeys: String, CodingKey {
        case path, format, step, epoch, stepSource = "step_source", aliases
        case tensorHashes = "tensor_hashes", layersReused = "layers_reused", training
        case options, seriesTag = "series_tag"
    }

    public init(path: String, format: String, step: Int? = nil, epoch: Double? = nil,
                stepSource: String? = nil, aliases: [String: String] = [:],
                tensorHashes: [String: String] = [:], layersReused: Int? = nil,
                training: [String: Double] = [:], options: [String: String] = [:],
                seriesTag: String = "") {
        self.path = path; self.format = format; self.step = step; self.epoch = epoch
        self.stepSource = stepSource; self.aliases = aliases; self.tensorHashes = tensorHashes
        self.layersReused = layersReused; self.training = training
        self.options = options; self.seriesTag = seriesTag
    }

    /// Reports written before `training` existed (analyze --format json files fed to `ingest`)
    /// decode with no training metrics.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        format = try c.decode(String.self, forKey: .format)
        step = try c.decodeIfPresent(Int.self, forKey: .step)
        epoch = try c.decodeIfPresent(Double?.self, forKey: .epoch) ?? nil
        stepSource = try c.decodeIfPresent(String.self, forKey: .stepSource)
        aliases = try c.decodeIfPresent([String: String].self, forKey: .aliases) ?? [:]
        tensorHashes = try c.decodeIfPresent([String: String].self, forKey: .tensorHashes) ?? [:]
        layersReused = try c.decodeIfPresent(Int.self, forKey: .layersReused)
        training = (try c.decodeIfPresent([String: Double?].self, forKey: .training) ?? [:]).compactMapValues { $0 }
        options = try c.decodeIfPresent([String: String].self, forKey: .options) ?? [:]
        seriesTag = try c.decodeIfPresent(String.self, forKey: .seriesTag) ?? ""
    }

    /// Non-finite numbers from a file (a NaN epoch in safetensors metadata or trainer_state.json)
    /// are written as `null`: JSONEncoder would throw an EncodingError naming no file (issue 10,
    /// point 8).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path); try c.encode(format, forKey: .format)
        try c.encodeIfPresent(step, forKey: .step); if let epoch { try c.encode(epoch.isFinite ? epoch : nil, forKey: .epoch) }
        try c.encodeIfPresent(stepSource, forKey: .stepSource); try c.encode(aliases, forKey: .aliases)
        try c.encode(tensorHashes, forKey: .tensorHashes)
        try c.encodeIfPresent(layersReused, forKey: .layersReused); try c.encode(training.mapValues { $0.isFinite ? $0 : nil }, forKey: .training)
        // Left out for WW's defaults, so default reports are unchanged.
        if !options.isEmpty { try c.encode(options, forKey: .options) }
        if !seriesTag.isEmpty { try c.encode(seriesTag, forKey: .seriesTag) }
    }
}

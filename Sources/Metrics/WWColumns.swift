/// WeightWatcher's `details` columns, written once. This table drives `LayerReport`'s JSON keys
/// (its Codable), the Store's `layer_metrics` columns and the CSV header, so a column added
/// here (with its stored property) reaches every output without touching six files.
public struct WWColumn: Sendable {
    public enum Kind: Sendable { case int, real, text }
    /// WeightWatcher's column name (the JSON key and the CSV header).
    public let name: String
    /// The `layer_metrics` column (differs only where the Store's own key takes the name).
    public let sqlName: String
    public let kind: Kind
    /// Present in every row (`null` when unknown); otherwise present only when the option that
    /// computes it was set (the key is left out of rows without it, as WW adds no column).
    public let always: Bool
    /// WeightWatcher writes it to the `details` frame (false for wwmon's own `reason`).
    public let inCSV: Bool
    public let get: @Sendable (LayerReport) -> WWValue
    public let set: @Sendable (inout LayerReport, WWValue) -> Void
}

/// One cell. `.null` is NaN / None: JSON null, SQL NULL, an empty CSV field.
public enum WWValue: Sendable, Equatable {
    case int(Int), real(Double), text(String), null

    public var double: Double? {
        switch self {
        case .int(let v): Double(v)
        case .real(let v): v
        default: nil
        }
    }
}

extension WWColumn {
    static func int(_ name: String, sql: String? = nil, _ kp: WritableKeyPath<LayerReport, Int> & Sendable) -> WWColumn {
        WWColumn(name: name, sqlName: sql ?? name, kind: .int, always: true, inCSV: true,
                 get: { .int($0[keyPath: kp]) },
                 set: { r, v in if case .int(let i) = v { r[keyPath: kp] = i } })
    }
    static func real(_ name: String, _ kp: WritableKeyPath<LayerReport, Double> & Sendable) -> WWColumn {
        WWColumn(name: name, sqlName: name, kind: .real, always: true, inCSV: true,
                 get: { .real($0[keyPath: kp]) },
                 set: { r, v in r[keyPath: kp] = v.double ?? .nan })
    }
    static func text(_ name: String, _ kp: WritableKeyPath<LayerReport, String> & Sendable) -> WWColumn {
        WWColumn(name: name, sqlName: name, kind: .text, always: true, inCSV: true,
                 get: { .text($0[keyPath: kp]) },
                 set: { r, v in if case .text(let s) = v { r[keyPath: kp] = s } })
    }
    static func optionalReal(_ name: String, always: Bool = false,
                             _ kp: WritableKeyPath<LayerReport, Double?> & Sendable) -> WWColumn {
        WWColumn(name: name, sqlName: name, kind: .real, always: always, inCSV: true,
                 get: { $0[keyPath: kp].map(WWValue.real) ?? .null },
                 set: { r, v in r[keyPath: kp] = v.double })
    }
    static func optionalInt(_ name: String, _ kp: WritableKeyPath<LayerReport, Int?> & Sendable) -> WWColumn {
        WWColumn(name: name, sqlName: name, kind: .int, always: false, inCSV: true,
                 get: { $0[keyPath: kp].map(WWValue.int) ?? .null },
                 set: { r, v in if case .int(let i) = v { r[keyPath: kp] = i } else { r[keyPath: kp] = nil } })
    }
    static func optionalText(_ name: String, inCSV: Bool,
                             _ kp: WritableKeyPath<LayerReport, String?> & Sendable) -> WWColumn {
        WWColumn(name: name, sqlName: name, kind: .text, always: false, inCSV: inCSV,
                 get: { $0[keyPath: kp].map(WWValue.text) ?? .null },
                 set: { r, v in if case .text(let s) = v { r[keyPath: kp] = s } else { r[keyPath: kp] = nil } })
    }
}

public enum WWColumns {
    /// Every column, in the contract's order: WeightWatcher 0.7.7's default 31 (spec §4.1, minus
    /// `has_esd`), then the option columns (§4.2), then wwmon's `slice_id` and `reason`.
    public static let all: [WWColumn] = [
        .int("layer_id", sql: "ww_layer_id", \.layerID), .text("name", \.name),
        .text("longname", \.longname), .text("layer_type", \.layerType),
        .int("N", \.N), .int("M", \.M), .int("rf", \.rf), .real("Q", \.Q),
        .int("num_evals", \.numEvals), .real("sv_max", \.svMax), .real("sv_min", \.svMin),
        .int("rank_loss", \.rankLoss), .int("weak_rank_loss", \.weakRankLoss),
        .real("lambda_max", \.lambdaMax), .real("alpha", \.alpha), .real("xmin", \.xmin),
        .optionalReal("xmax", always: true, \.xmax), .real("D", \.D), .real("sigma", \.sigma),
        .int("num_pl_spikes", \.numPLSpikes), .text("status", \.status), .text("warning", \.warning),
        .real("norm", \.norm), .real("log_norm", \.logNorm), .real("spectral_norm", \.spectralNorm),
        .real("log_spectral_norm", \.logSpectralNorm), .real("alpha_weighted", \.alphaWeighted),
        .real("log_alpha_norm", \.logAlphaNorm), .real("stable_rank", \.stableRank),
        .int("matrix_rank", \.matrixRank), .real("entropy", \.entropy),
        // fix_fingers = 'clip_xmax'
        .optionalInt("num_fingers", \.numFingers), .optionalReal("raw_alpha", \.rawAlpha),
        // mp_fit = True
        .optionalInt("num_spikes", \.numSpikes), .optionalReal("sigma_mp", \.sigmaMP),
        .optionalReal("mp_softrank", \.mpSoftrank), .optionalReal("W_scale", \.wScale),
        .optionalReal("bulk_max", \.bulkMax), .optionalReal("bulk_min", \.bulkMin),
        // randomize = True
        .optionalReal("max_rand_eval", \.maxRandEval), .optionalReal("rand_distance", \.randDistance),
        .optionalReal("ww_softrank", \.wwSoftrank), .optionalReal("ww_maxdist", \.wwMaxdist),
        .optionalInt("rand_num_spikes", \.randNumSpikes), .optionalInt("num_traps", \.numTraps),
        .optionalReal("rand_sigma_mp", \.randSigmaMP), .optionalReal("rand_mp_softrank", \.randMPSoftrank),
        .optionalReal("rand_W_scale", \.randWScale), .optionalReal("rand_bulk_max", \.randBulkMax),
        .optionalReal("rand_bulk_min", \.randBulkMin),
        .optionalInt("slice_id", \.sliceID),
        .optionalText("reason", inCSV: false, \.reason),
    ]

    /// The columns WeightWatcher's default `analyze()` writes (the fidelity tests' reference).
    public static var defaults: [WWColumn] { all.filter(\.always) }

    public static func named(_ name: String) -> WWColumn? { all.first { $0.name == name } }
}

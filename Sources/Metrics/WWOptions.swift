/// The WeightWatcher `analyze()` options wwmon supports beyond the defaults (issue 13). The
/// defaults reproduce WW 0.7.7's default `analyze()`; every other value changes the numbers,
/// so `tag` names it in the store (series are never mixed across options).
public struct WWOptions: Sendable, Equatable, Hashable, Codable {
    /// WW's `fix_fingers`.
    public enum FixFingers: String, Sendable, Codable, CaseIterable {
        /// Refit with the largest eigenvalues clipped until alpha drops (RMT_Util.fit_clipped_powerlaw).
        case clipXmax = "clip_xmax"
    }

    /// How a Conv2D layer becomes a spectrum.
    public enum Conv: String, Sendable, Codable, CaseIterable {
        /// WW's default `pool=True`: the kh·kw slice spectra pooled into one ESD.
        case pooled
        /// WW's `pool=False`: one row per kernel position.
        case slices
        /// The singular values of the convolution as a linear map on N×N inputs (circular
        /// padding; Sedghi, Gupta & Long, ICLR 2019): one ESD of N²·min(c_in, c_out) values.
        case `operator`
    }

    public var fixFingers: FixFingers?
    /// WW's `max_fingers` and `finger_thresh` (clip_xmax).
    public var maxFingers: Int
    public var fingerThresh: Double
    public var conv: Conv
    /// N of the N×N inputs the operator spectrum is taken on (`conv = operator`).
    public var inputSize: Int
    /// WW's `mp_fit`: adds the Marchenko–Pastur columns (num_spikes, sigma_mp, …). It changes
    /// no other column, so it is recorded but does not split series.
    public var mpFit: Bool
    /// WW's `randomize`: adds the shuffled-ESD columns (rand_distance, num_traps, …). WW
    /// shuffles with numpy's unseeded global generator; here each layer's shuffles come from a
    /// generator seeded by `seed` (recorded with the checkpoint), so a result can be reproduced.
    public var randomize: Bool
    public var seed: UInt64

    public static let defaultInputSize = 32

    public init(fixFingers: FixFingers? = nil, maxFingers: Int = 10, fingerThresh: Double = 1.0,
                conv: Conv = .pooled, inputSize: Int = WWOptions.defaultInputSize, mpFit: Bool = false,
                randomize: Bool = false, seed: UInt64 = 0) {
        self.fixFingers = fixFingers; self.maxFingers = maxFingers; self.fingerThresh = fingerThresh
        self.conv = conv; self.inputSize = inputSize; self.mpFit = mpFit
        self.randomize = randomize; self.seed = seed
    }

    public var pool: Bool { conv != .slices }

    /// Canonical text of the options that differ from WW's defaults, `""` for the defaults.
    /// Stored with each checkpoint and appended to layer names in the store, so a layer's
    /// series under other options is a separate series. `slices` needs no tag: its rows are
    /// already keyed `#sliceK`.
    public var tag: String {
        var parts: [String] = []
        if let f = fixFingers {
            parts.append("fix_fingers=\(f.rawValue)")
            if f == .clipXmax && (maxFingers != 10 || fingerThresh != 1.0) {
                parts.append("max_fingers=\(maxFingers)"); parts.append("finger_thresh=\(fingerThresh)")
            }
        }
        if conv == .operator { parts.append("conv=operator"); parts.append("input_size=\(inputSize)") }
        return parts.joined(separator: ",")
    }
}

/// Which layers are analysed: WeightWatcher's `min_evals`, `max_evals` and `layers=[…]`
/// (`WWLayerIterator.apply_filters`, `layer_supported`). WW filters names by exact match;
/// here `include` / `exclude` are regular expressions searched in the layer name (an exact
/// name is the pattern `^name$`), and `layerIDs` follows WW: all ≥ 0 keep only those ids,
/// all < 0 drop the ids −k (so layer 0 cannot be dropped by id, as in WW).
public struct LayerSelection: Sendable, Equatable, Hashable, Codable {
    public var minEvals: Int
    public var maxEvals: Int
    public var include: String?
    public var exclude: String?
    public var layerIDs: [Int]

    public init(minEvals: Int = WWDefaults.minEvals, maxEvals: Int = WWDefaults.maxEvals,
                include: String? = nil, exclude: String? = nil, layerIDs: [Int] = []) {
        self.minEvals = minEvals; self.maxEvals = maxEvals
        self.include = include; self.exclude = exclude; self.layerIDs = layerIDs
    }

    public var isDefault: Bool { self == LayerSelection() }

    /// Mixed signs in `layerIDs` or a pattern that does not compile.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Checks the patterns and ids once, before any checkpoint is read.
    public func validated() throws -> LayerSelection {
        for (flag, p) in [("layers", include), ("exclude_layers", exclude)] {
            if let p {
                do { _ = try Regex(p) } catch {
                    throw Invalid(description: "\(flag): \"\(p)\" is not a valid regular expression: \(error)")
                }
            }
        }
        if !layerIDs.isEmpty && !(layerIDs.allSatisfy { $0 >= 0 } || layerIDs.allSatisfy { $0 < 0 }) {
            throw Invalid(description: "layer_ids: mix of kept (≥ 0) and dropped (< 0) ids \(layerIDs); WeightWatcher takes one kind")
        }
        if minEvals < 0 || maxEvals < 0 {
            throw Invalid(description: "min_evals and max_evals must be ≥ 0 (got \(minEvals), \(maxEvals))")
        }
        return self
    }

    /// A compiled filter, made once per checkpoint.
    public struct Filter {
        let include: Regex<AnyRegexOutput>?
        let exclude: Regex<AnyRegexOutput>?
        let ids: [Int]

        /// Why a layer is filtered out, or nil when it is kept.
        public func reason(name: String, layerID: Int) -> SkipReason? {
            if !ids.isEmpty {
                if ids.allSatisfy({ $0 >= 0 }) {
                    if !ids.contains(layerID) { return .filtered("layer_id \(layerID) not in layer_ids") }
                } else if ids.contains(-layerID) {
                    return .filtered("layer_id \(layerID) dropped by layer_ids")
                }
            }
            if let include, (try? include.firstMatch(in: name)) == nil {
                return .filtered("name does not match layers")
            }
            if let exclude, (try? exclude.firstMatch(in: name)) != nil {
                return .filtered("name matches exclude_layers")
            }
            return nil
        }
    }

    /// Patterns that do not compile filter nothing here; `validated()` reports them first.
    public var filter: Filter {
        Filter(include: include.flatMap { try? Regex($0) }, exclude: exclude.flatMap { try? Regex($0) },
               ids: layerIDs)
    }
}

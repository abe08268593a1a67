import Analysis
import Daemon
import ArgumentParser
import Foundation
import Metrics

extension WWOptions.FixFingers: ExpressibleByArgument {}
extension WWOptions.Conv: ExpressibleByArgument {}

/// WeightWatcher's options as `analyze` / `ingest` flags (issue 13); the config keys of the
/// same names (with underscores) are decoded in Sources/Daemon/Config/ConfigDecoding.swift.
struct AnalysisFlags: ParsableArguments {
    @Option(help: "Fix power-law 'fingers': clip_xmax (WeightWatcher's fix_fingers).")
    var fixFingers: WWOptions.FixFingers?
    @Option(help: "clip_xmax: most eigenvalues clipped + 1 (WW's max_fingers; below half the ESD WW uses 10).")
    var maxFingers: Int = 10
    @Option(help: "clip_xmax: alpha drop that counts as a finger (WW's finger_thresh).")
    var fingerThresh: Double = 1.0
    @Option(help: "Conv2D mode: pooled (WW's default), slices (pool=False) or operator (the convolution's singular values on N×N inputs).")
    var conv: WWOptions.Conv?
    @Flag(help: "Conv2D per-slice mode (WeightWatcher's pool=False, formerly ww2x); alias of --conv slices.")
    var noPool = false
    @Option(help: "N of the N×N inputs for --conv operator (default 32).")
    var inputSize: Int = WWOptions.defaultInputSize
    @Flag(help: "Add the Marchenko–Pastur fit columns (WW's mp_fit): num_spikes, sigma_mp, mp_softrank, W_scale, bulk_max, bulk_min.")
    var mpFit = false
    @Flag(help: "Add the randomized-ESD columns and correlation traps (WW's randomize): rand_distance, num_traps, …")
    var randomize = false
    @Option(help: "Seed of --randomize's shuffles (recorded with the checkpoint; default 0).")
    var seed: UInt64?
    @Option(help: "Skip layers with fewer eigenvalues (WW's min_evals, default 8; 0 = no limit).")
    var minEvals: Int = WWDefaults.minEvals
    @Option(help: "Skip layers with more eigenvalues (WW's max_evals, default 15000; 0 = no limit).")
    var maxEvals: Int = WWDefaults.maxEvals
    @Option(name: .customLong("layers"), help: "Analyse only layers whose name matches this regular expression.")
    var include: String?
    @Option(name: .customLong("exclude-layers"), help: "Skip layers whose name matches this regular expression.")
    var exclude: String?
    @Option(help: "Comma-separated layer ids as WW's layers=[…]: all ≥ 0 keep only these, all < 0 drop them.")
    var layerIds: String?

    func validate() throws { _ = try options(concurrency: 1) }

    var conflicts: Bool { noPool && conv != nil && conv != .slices }

    func options(concurrency: Int) throws -> AnalysisOptions {
        if conflicts { throw ValidationError("--no-pool is --conv slices; it cannot be combined with --conv \(conv!.rawValue)") }
        if seed != nil && !randomize { throw ValidationError("--seed only applies with --randomize") }
        if inputSize < 1 { throw ValidationError("--input-size must be at least 1") }
        if maxFingers < 0 { throw ValidationError("--max-fingers must be ≥ 0") }
        var ids: [Int] = []
        if let layerIds {
            for part in layerIds.split(separator: ",") {
                guard let i = Int(part.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--layer-ids: \"\(part)\" is not an integer")
                }
                ids.append(i)
            }
        }
        let selection: LayerSelection
        do {
            selection = try LayerSelection(minEvals: minEvals, maxEvals: maxEvals, include: include,
                                           exclude: exclude, layerIDs: ids).validated()
        } catch { throw ValidationError("\(error)") }
        let ww = WWOptions(fixFingers: fixFingers, maxFingers: maxFingers, fingerThresh: fingerThresh,
                           conv: noPool ? .slices : (conv ?? .pooled), inputSize: inputSize,
                           mpFit: mpFit, randomize: randomize, seed: seed ?? 0)
        return AnalysisOptions(ww: ww, selection: selection, concurrency: concurrency)
    }

    /// The flags as config keys, for commands that run the daemon's pipeline (`ingest`): only
    /// what was given differs from WeightWatcher's defaults, so unset flags leave the config's.
    var settings: WWSettings {
        var s = WWSettings()
        s.fixFingers = fixFingers?.rawValue
        if fixFingers != nil { s.maxFingers = maxFingers; s.fingerThresh = fingerThresh }
        s.conv = noPool ? .slices : conv
        if s.conv == .operator { s.inputSize = inputSize }
        if mpFit { s.mpFit = true }
        if randomize { s.randomize = true; s.seed = seed.map { Int($0) } }
        if minEvals != WWDefaults.minEvals { s.minEvals = minEvals }
        if maxEvals != WWDefaults.maxEvals { s.maxEvals = maxEvals }
        s.layers = include
        s.excludeLayers = exclude
        s.layerIDs = layerIds.map { $0.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        return s
    }
}

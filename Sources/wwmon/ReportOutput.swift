import Analysis
import Foundation
import Metrics

/// The three renderings of an analysis: JSON (the contract), CSV (WW's columns), a table for people.
enum ReportOutput {
    static func json(_ report: CheckpointReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// WeightWatcher's columns in the contract's order; NaN as an empty field (as pandas writes).
    static let columns = ["layer_id", "name", "longname", "layer_type", "N", "M", "rf", "Q", "num_evals",
                          "sv_max", "sv_min", "rank_loss", "weak_rank_loss", "lambda_max", "alpha", "xmin",
                          "xmax", "D", "sigma", "num_pl_spikes", "status", "warning", "norm", "log_norm",
                          "spectral_norm", "log_spectral_norm", "alpha_weighted", "log_alpha_norm",
                          "stable_rank", "matrix_rank", "entropy"]

    static func csv(_ rows: [LayerReport], perSlice: Bool) -> String {
        var out = (columns + (perSlice ? ["slice_id"] : [])).joined(separator: ",") + "\n"
        for r in rows {
            var f: [String] = [
                "\(r.layerID)", CSV.field(r.name), CSV.field(r.longname), r.layerType, "\(r.N)", "\(r.M)", "\(r.rf)",
                num(r.Q), "\(r.numEvals)", num(r.svMax), num(r.svMin), "\(r.rankLoss)", "\(r.weakRankLoss)",
                num(r.lambdaMax), num(r.alpha), num(r.xmin), r.xmax.map(num) ?? "", num(r.D), num(r.sigma),
                "\(r.numPLSpikes)", r.status, r.warning, num(r.norm), num(r.logNorm), num(r.spectralNorm),
                num(r.logSpectralNorm), num(r.alphaWeighted), num(r.logAlphaNorm), num(r.stableRank),
                "\(r.matrixRank)", num(r.entropy)]
            if perSlice { f.append("\(r.sliceID ?? 0)") }
            out += f.joined(separator: ",") + "\n"       // numbers and WW's fixed words need no quoting
        }
        return out
    }

    static func table(_ report: CheckpointReport, perSlice: Bool) -> String {
        let head = ["id", "name", "type", "N", "M", "alpha", "alpha_w", "log_spec", "stable_rank", "D",
                    "spikes", "warning"] + (perSlice ? ["slice"] : [])
        var table = Table(head, left: [1, 2, 11])
        for r in report.layers {
            var line = ["\(r.layerID)", r.name, r.layerType, "\(r.N)", "\(r.M)", fixed(r.alpha),
                        fixed(r.alphaWeighted), fixed(r.logSpectralNorm), fixed(r.stableRank, 2), fixed(r.D),
                        "\(r.numPLSpikes)", r.status == "success" ? r.warning : "failed: \(r.reason ?? "")"]
            if perSlice { line.append("\(r.sliceID ?? 0)") }
            table.add(line)
        }
        // Plain text: `analyze` output is compared with WW's and piped; no colour codes.
        var out = table.render(Style(color: false))
        let s = report.summary
        out += "\nsummary: ⟨alpha⟩ \(fixed(s.alpha))  ⟨alpha_weighted⟩ \(fixed(s.alphaWeighted))"
        out += "  ⟨log_spectral_norm⟩ \(fixed(s.logSpectralNorm))  ⟨log_norm⟩ \(fixed(s.logNorm))"
        out += "  ⟨log_alpha_norm⟩ \(fixed(s.logAlphaNorm))  ⟨stable_rank⟩ \(fixed(s.stableRank, 2))\n"
        out += "layers: \(s.layersAnalyzed) analyzed, \(s.layersSkipped) skipped, \(s.layersFailed) failed\n"
        return out
    }

    /// Shortest text that round-trips; NaN empty, infinities as pandas writes them.
    static func num(_ v: Double) -> String {
        if v.isNaN { return "" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return "\(v)"
    }

    static func fixed(_ v: Double, _ digits: Int = 3) -> String {
        v.isFinite ? String(format: "%.\(digits)f", v) : (v.isNaN ? "-" : (v > 0 ? "inf" : "-inf"))
    }

}

import Analysis
import Daemon
import Foundation
import Metrics

/// The three renderings of an analysis: JSON (the contract), CSV (WW's columns), a table for people.
enum ReportOutput {
    /// The CSV columns of these rows (`WWColumns`): WeightWatcher's, plus each option column
    /// (and `slice_id`) that some row has; NaN as an empty field (as pandas writes).
    static func columns(for rows: [LayerReport]) -> [WWColumn] {
        WWColumns.all.filter { col in col.inCSV && (col.always || rows.contains { col.get($0) != .null }) }
    }

    static func csv(_ rows: [LayerReport]) -> String {
        let cols = columns(for: rows)
        var out = cols.map(\.name).joined(separator: ",") + "\n"
        for r in rows {
            out += cols.map { col -> String in
                switch col.get(r) {
                case .int(let v): "\(v)"
                case .real(let v): num(v)
                case .text(let v): CSV.field(v)
                case .null: ""
                }
            }.joined(separator: ",") + "\n"
        }
        return out
    }

    static func table(_ report: CheckpointReport, perSlice: Bool) -> String {
        let head = ["id", "name", "type", "N", "M", "alpha", "alpha_w", "log_spec", "stable_rank", "D",
                    "spikes", "warning"] + (perSlice ? ["slice"] : [])
        var table = Table(head, left: [1, 2, 11])
        for r in report.layers {
            // Names and reasons come from files: escaped, like every table's cells (Output/Table.swift).
            var line = ["\(r.layerID)", LogText.escape(r.name), r.layerType, "\(r.N)", "\(r.M)", fixed(r.alpha),
                        fixed(r.alphaWeighted), fixed(r.logSpectralNorm), fixed(r.stableRank, 2), fixed(r.D),
                        "\(r.numPLSpikes)", r.status == "success" ? note(r) : "failed: \(LogText.escape(r.reason ?? ""))"]
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

    /// The warning, and whether fix_fingers clipped eigenvalues off this layer's fit.
    static func note(_ r: LayerReport) -> String {
        guard let f = r.numFingers, f > 0 else { return r.warning }
        let fix = "fix_fingers: num_fingers \(f), raw alpha \(fixed(r.rawAlpha ?? .nan))"
        return r.warning.isEmpty ? fix : "\(r.warning); \(fix)"
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

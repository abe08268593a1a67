import Checkpoint
import GRDB
import Metrics

/// The `layer_metrics` columns that hold a `LayerReport`, in one place so the insert and the
/// decode cannot drift apart. Non-finite numbers: NaN is stored as NULL (SQLite turns NaN into
/// NULL anyway) and read back as NaN; ±inf are stored as REAL infinities.
enum LayerColumns {
    static let names = [
        "ww_layer_id", "name", "longname", "layer_type", "N", "M", "rf", "Q", "num_evals",
        "sv_max", "sv_min", "rank_loss", "weak_rank_loss", "lambda_max", "alpha", "xmin", "xmax",
        "D", "sigma", "num_pl_spikes", "status", "warning", "norm", "log_norm", "spectral_norm",
        "log_spectral_norm", "alpha_weighted", "log_alpha_norm", "stable_rank", "matrix_rank",
        "entropy", "slice_id", "reason",
    ]

    /// `"N", "M", ...` quoted, for SELECT and INSERT lists (N/M/D/Q are upper-case names).
    static let sqlList = names.map { "lm.\"\($0)\"" }.joined(separator: ", ")
    static let insertList = names.map { "\"\($0)\"" }.joined(separator: ", ")

    static func real(_ v: Double) -> Double? { v.isNaN ? nil : v }

    static func arguments(_ r: LayerReport) -> [(any DatabaseValueConvertible)?] {
        [r.layerID, r.name, r.longname, r.layerType, r.N, r.M, r.rf, real(r.Q), r.numEvals,
         real(r.svMax), real(r.svMin), r.rankLoss, r.weakRankLoss, real(r.lambdaMax),
         real(r.alpha), real(r.xmin), r.xmax.flatMap(real), real(r.D), real(r.sigma),
         r.numPLSpikes, r.status, r.warning, real(r.norm), real(r.logNorm),
         real(r.spectralNorm), real(r.logSpectralNorm), real(r.alphaWeighted),
         real(r.logAlphaNorm), real(r.stableRank), r.matrixRank, real(r.entropy), r.sliceID,
         r.reason]
    }

    static func decode(_ row: Row) -> LayerReport {
        func d(_ c: String) -> Double { (row[c] as Double?) ?? .nan }
        return LayerReport(
            layerID: row["ww_layer_id"], name: row["name"], longname: row["longname"],
            layerType: row["layer_type"], N: row["N"], M: row["M"], rf: row["rf"], Q: d("Q"),
            numEvals: row["num_evals"], svMax: d("sv_max"), svMin: d("sv_min"),
            rankLoss: row["rank_loss"], weakRankLoss: row["weak_rank_loss"],
            lambdaMax: d("lambda_max"), alpha: d("alpha"), xmin: d("xmin"), xmax: row["xmax"],
            D: d("D"), sigma: d("sigma"), numPLSpikes: row["num_pl_spikes"],
            status: row["status"], warning: row["warning"], norm: d("norm"),
            logNorm: d("log_norm"), spectralNorm: d("spectral_norm"),
            logSpectralNorm: d("log_spectral_norm"), alphaWeighted: d("alpha_weighted"),
            logAlphaNorm: d("log_alpha_norm"), stableRank: d("stable_rank"),
            matrixRank: row["matrix_rank"], entropy: d("entropy"), sliceID: row["slice_id"],
            reason: row["reason"])
    }
}

/// Layer identity across checkpoints: the normalised name (wrapper prefixes that come and go
/// between runs of the same model — DDP's `module.`, torch.compile's `_orig_mod.` — removed),
/// plus `#sliceK` for conv slices analysed one by one.
public enum LayerKey {
    public static func of(_ r: LayerReport) -> String {
        let base = normalise(r.longname.isEmpty ? r.name : r.longname)
        return r.sliceID.map { "\(base)#slice\($0)" } ?? base
    }

    /// The readers' normalisation (`TensorNames`), also for names that come from elsewhere
    /// (a report file, a `--layer` argument), and without a `.weight` suffix.
    public static func normalise(_ name: String) -> String {
        let n = TensorNames.normalise(name)
        return n.hasSuffix(".weight") ? String(n.dropLast(7)) : n
    }
}

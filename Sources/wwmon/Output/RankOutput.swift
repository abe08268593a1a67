import Foundation
import Views
import Ranking

/// `wwmon rank`'s three renderings. The JSON shape is the contract of issue 14:
/// `{"runs": [...], "correlations": [...], "paradox": [...]}` (README, "Ranking a sweep").
enum RankOutput {
    struct RunRow: Encodable {
        var r: Ranking.Ranked
        enum K: String, CodingKey {
            case run, group, step, alpha, alphaWeighted = "alpha_weighted", logSpectralNorm = "log_spectral_norm"
            case logNorm = "log_norm", training, rankInGroup = "rank_in_group", rankOverall = "rank_overall"
        }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: K.self)
            let p = r.point
            try c.encode(p.run, forKey: .run); try c.encode(p.group, forKey: .group); try c.encode(p.step, forKey: .step)
            try c.encodeNumber(p.value(.alpha), forKey: .alpha)
            try c.encodeNumber(p.value(.alphaWeighted), forKey: .alphaWeighted)
            try c.encodeNumber(p.value(.logSpectralNorm), forKey: .logSpectralNorm)
            try c.encodeNumber(p.value(.logNorm), forKey: .logNorm)
            try c.encode(NumberMap(values: p.training), forKey: .training)
            try c.encodeOrNull(r.inGroup, forKey: .rankInGroup); try c.encodeOrNull(r.overall, forKey: .rankOverall)
        }
    }

    /// name -> number, NaN as null.
    struct NumberMap: Encodable {
        var values: [String: Double]
        struct Key: CodingKey {
            var stringValue: String; var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            for (k, v) in values { try c.encodeNumber(v, forKey: Key(stringValue: k)) }
        }
    }

    struct CorrelationRow: Encodable {
        var c: Correlation
        enum K: String, CodingKey { case metric, target, scope, n, spearman, kendall }
        func encode(to encoder: Encoder) throws {
            var k = encoder.container(keyedBy: K.self)
            try k.encode(c.metric.rawValue, forKey: .metric); try k.encode(c.target, forKey: .target)
            try k.encode(c.scope.name, forKey: .scope); try k.encode(c.n, forKey: .n)
            try k.encodeNumber(c.spearman, forKey: .spearman); try k.encodeNumber(c.kendall, forKey: .kendall)
        }
    }

    struct ParadoxRow: Encodable {
        var p: Paradox
        enum K: String, CodingKey { case metric, target, pooled, within }
        func encode(to encoder: Encoder) throws {
            var k = encoder.container(keyedBy: K.self)
            try k.encode(p.metric.rawValue, forKey: .metric); try k.encode(p.target, forKey: .target)
            try k.encodeNumber(p.pooled, forKey: .pooled); try k.encode(NumberMap(values: p.within), forKey: .within)
        }
    }

    struct Document: Encodable {
        var runs: [RunRow]; var correlations: [CorrelationRow]; var paradox: [ParadoxRow]
    }

    static func json(ranked: [Ranking.Ranked], correlations: [Correlation], paradoxes: [Paradox]) throws -> String {
        let doc = Document(runs: ranked.map(RunRow.init), correlations: correlations.map(CorrelationRow.init),
                           paradox: paradoxes.map(ParadoxRow.init))
        return String(decoding: try MachineJSON.encoder(pretty: true).encode(doc), as: UTF8.self) + "\n"
    }

    /// The runs, one row each; training metrics as `training.NAME` columns (union over runs, sorted).
    static func csv(ranked: [Ranking.Ranked]) -> String {
        let names = Set(ranked.flatMap { $0.point.training.keys }).sorted()
        var out = CSV.row(["run", "group", "step", "alpha", "alpha_weighted", "log_spectral_norm", "log_norm",
                           "rank_in_group", "rank_overall"] + names.map { "training." + $0 })
        for r in ranked {
            let p = r.point
            out += CSV.row([p.run, p.group, "\(p.step)", Text.exact(p.value(.alpha)), Text.exact(p.value(.alphaWeighted)),
                            Text.exact(p.value(.logSpectralNorm)), Text.exact(p.value(.logNorm)),
                            r.inGroup.map(String.init) ?? "", r.overall.map(String.init) ?? ""]
                           + names.map { Text.exact(p.training[$0]) })
        }
        return out
    }

    static func table(ranked: [Ranking.Ranked], correlations: [Correlation], paradoxes: [Paradox],
                      target: String?, style: Style) -> String {
        // The target first, then other training metrics recorded with these checkpoints (a few:
        // a framework's log can hold dozens; --json and --csv have them all).
        let others = Set(ranked.flatMap { $0.point.training.keys }).subtracting(target.map { [$0] } ?? []).sorted()
        let extra = (target.map { [$0] } ?? []) + others.prefix(target == nil ? 4 : 3)
        var t = Table(["group", "in group", "overall", "run", "step", "⟨alpha⟩", "⟨alpha_w⟩", "⟨log_spec⟩",
                       "⟨log_norm⟩"] + extra, left: [0, 3])
        for r in ranked {
            let p = r.point
            t.add([.init(p.group, .dim), .init(r.inGroup.map(String.init) ?? "-", r.inGroup == 1 ? .bold : .plain),
                   .init(r.overall.map(String.init) ?? "-", r.overall == 1 ? .bold : .plain), .init(p.run), .init("\(p.step)"),
                   .init(Text.fixed(p.value(.alpha))), .init(Text.fixed(p.value(.alphaWeighted))),
                   .init(Text.fixed(p.value(.logSpectralNorm))), .init(Text.fixed(p.value(.logNorm)))]
                  + extra.map { .init(Text.fixed(p.training[$0], 4)) })
        }
        var out = t.render(style) + "\n" + Ranking.rationale + "\n"
        guard let target else {
            return out + "\nNo training metric to correlate with: record one with `wwmon note RUN --step S test_accuracy=…`"
                + " or name one with --target.\n"
        }
        var c = Table(["metric", "scope", "n", "spearman", "kendall"], left: [0, 1])
        for x in correlations {
            c.add([.init(x.metric.rawValue), .init(x.scope.name), .init("\(x.n)"),
                   .init(Text.fixed(x.spearman)), .init(Text.fixed(x.kendall))])
        }
        out += "\nRank correlation with \(target) (n runs with both values; fewer than \(Correlation.minimumPoints): -):\n"
        out += c.render(style)
        if paradoxes.isEmpty {
            out += "\nNo Simpson's paradox: no metric's pooled sign is opposite to its sign in most groups.\n"
        } else {
            for p in paradoxes {
                let within = p.within.sorted { $0.key < $1.key }.map { "\($0.key) \(Text.fixed($0.value))" }
                    .joined(separator: ", ")
                out += "\n" + style.paint("Simpson's paradox: ⟨\(p.metric.rawValue)⟩ vs \(target) is \(Text.fixed(p.pooled)) pooled, "
                    + "but \(within) within groups.", .alert) + "\n"
            }
        }
        return out
    }
}

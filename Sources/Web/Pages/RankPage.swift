import Foundation
import Ranking
import Store
import Views

/// `/rank`: the sweep side by side (`wwmon rank`): ranks within groups by ⟨alpha⟩ and across by
/// ⟨alpha_weighted⟩, the post's scatter figure, rank correlations and Simpson's paradox.
enum RankPage {
    static func render(store: HistoryStore, query: Query) throws -> String {
        var request = SweepReport.Request()
        request.groupBy = query.string("group-by")
        request.group = query.string("group")
        request.target = query.string("target")
        for pair in query.all("tag") {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw WebError.badRequest("tag must be key=value (got \"\(pair)\")")
            }
            request.tags[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        let metricName = query.string("metric") ?? SweepMetric.alpha.rawValue
        guard let metric = SweepMetric(rawValue: metricName) else {
            throw WebError.badRequest("metric must be one of \(SweepMetric.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let tagKeys = Set(try store.tags().values.flatMap(\.keys)).sorted()
        var body = "<h1>Rank a sweep</h1>"
        body += "<form class=\"filters\" method=\"get\" action=\"/rank\">"
        body += AlertsPage.select("group-by", [("", "architecture")] + tagKeys.map { ($0, "tag " + $0) }, request.groupBy ?? "")
        body += AlertsPage.select("metric", SweepMetric.allCases.map { ($0.rawValue, $0.rawValue) }, metric.rawValue)
        body += "<label>target<input name=\"target\" value=\"\(Escape.html(request.target ?? ""))\" placeholder=\"test_accuracy\"></label>"
        body += "<button type=\"submit\">Rank</button></form>"
        let report: SweepReport
        do { report = try SweepReport.build(store, request) } catch let f as SweepReport.Failure {
            body += "<p class=\"note\">\(Escape.html(f.description)).</p>"
            return Layout.page(title: "Rank", nav: "rank", body: body)
        }
        let extra = report.target.map { [$0] } ?? []
        body += "<table><thead><tr><th class=\"l\">group</th><th>in group</th><th>overall</th><th class=\"l\">run</th><th>step</th>"
            + "<th>⟨alpha⟩</th><th>⟨alpha_w⟩</th><th>⟨log_spec⟩</th><th>⟨log_norm⟩</th>"
            + extra.map { "<th>\(Escape.html($0))</th>" }.joined() + "</tr></thead><tbody>"
        for r in report.ranked {
            let p = r.point
            body += "<tr><td class=\"l dim\">\(Escape.html(p.group))</td><td>\(r.inGroup.map(String.init) ?? "–")</td>"
                + "<td>\(r.overall.map(String.init) ?? "–")</td><td class=\"l\"><a href=\"\(Fmt.run(p.run))\">\(Escape.html(p.run))</a></td>"
                + "<td>\(p.step)</td><td>\(Fmt.n(p.value(.alpha)))</td><td>\(Fmt.n(p.value(.alphaWeighted)))</td>"
                + "<td>\(Fmt.n(p.value(.logSpectralNorm)))</td><td>\(Fmt.n(p.value(.logNorm)))</td>"
                + extra.map { "<td>\(Fmt.n(p.training[$0], 4))</td>" }.joined() + "</tr>"
        }
        body += "</tbody></table><p class=\"note\">\(Escape.html(Ranking.rationale))</p>"
        guard let target = report.target else {
            body += "<p class=\"note\">No training metric to correlate with: record one with "
                + "<code>wwmon note RUN --step S test_accuracy=…</code>, or name one as the target.</p>"
            return Layout.page(title: "Rank", nav: "rank", body: body)
        }
        body += "<h2>⟨\(metric.rawValue)⟩ against \(Escape.html(target))</h2>"
        body += "<div class=\"chart\" style=\"max-width:760px\">" + report.scatter(metric).render() + "</div>"
        for p in report.paradoxes {
            let within = p.within.sorted { $0.key < $1.key }.map { "\(Escape.html($0.key)) \(Fmt.n($0.value))" }.joined(separator: ", ")
            body += "<p class=\"bad\">Simpson's paradox: ⟨\(p.metric.rawValue)⟩ vs \(Escape.html(target)) is \(Fmt.n(p.pooled)) pooled, but \(within) within groups.</p>"
        }
        if report.paradoxes.isEmpty {
            body += "<p class=\"note\">No Simpson's paradox: no metric's pooled sign is opposite to its sign in most groups.</p>"
        }
        body += "<h2>Rank correlation with \(Escape.html(target))</h2>"
        func rows(_ cs: [Correlation]) -> String {
            "<table><thead><tr><th class=\"l\">metric</th><th class=\"l\">scope</th><th>n</th><th>spearman</th><th>kendall</th></tr></thead><tbody>"
                + cs.map { c in
                    "<tr><td class=\"l\">\(c.metric.rawValue)</td><td class=\"l\">\(Escape.html(c.scope.name))</td><td>\(c.n)</td>"
                        + "<td>\(Fmt.n(c.spearman))</td><td>\(Fmt.n(c.kendall))</td></tr>"
                }.joined() + "</tbody></table>"
        }
        let along = report.correlations.filter { if case .along = $0.scope { true } else { false } }
        body += rows(report.correlations.filter { if case .along = $0.scope { false } else { true } })
        if !along.isEmpty {
            body += "<details><summary>Along each run's checkpoints (\(along.count / SweepMetric.allCases.count) runs)</summary>"
                + rows(along) + "</details>"
        }
        return Layout.page(title: "Rank", nav: "rank", body: body)
    }
}

import Foundation
import Store
import Views

/// `/compare`: two checkpoints of one run, or the latest of two runs, per-layer deltas.
enum ComparePage {
    static func render(store: HistoryStore, query: Query) throws -> String {
        let runs = try store.runs().map(\.run)
        var body = "<h1>Compare</h1>"
        let run = query.string("run")
        let other = query.string("with")
        let from = try query.int("from"), to = try query.int("to")
        let steps = try run.map { try store.checkpoints(run: $0).filter { $0.summary != nil }.map(\.step) } ?? []
        body += "<form class=\"filters\" method=\"get\" action=\"/compare\">"
        body += AlertsPage.select("run", [("", "choose a run")] + runs.map { ($0, $0) }, run ?? "")
        body += AlertsPage.select("from", [("", "first")] + steps.map { (String($0), String($0)) }, from.map(String.init) ?? "")
        body += AlertsPage.select("to", [("", "latest")] + steps.map { (String($0), String($0)) }, to.map(String.init) ?? "")
        body += AlertsPage.select("with", [("", "same run")] + runs.map { ($0, $0) }, other ?? "")
        body += "<button type=\"submit\">Compare</button></form>"
        guard let run else {
            body += "<p class=\"note\">Choose a run, and either two of its steps or another run to compare its latest checkpoint with.</p>"
            return Layout.page(title: "Compare", nav: "compare", body: body)
        }
        let c = try store.compare(run: run, from: from, to: to, metric: .alpha, otherRun: other)
        let doc = CompareView(c)
        body += "<div class=\"sub\">from <a href=\"\(Fmt.run(c.from.run))\">\(Escape.html(c.from.run))</a> step \(c.from.step) → "
            + "<a href=\"\(Fmt.run(c.to.run))\">\(Escape.html(c.to.run))</a> step \(c.to.step)</div>"
        body += "<table><thead><tr><th class=\"l\">summary</th><th>from</th><th>to</th><th>delta</th><th class=\"l\"></th></tr></thead><tbody>"
        for d in doc.summary {
            body += "<tr><td class=\"l\">⟨\(d.metric)⟩</td><td>\(Fmt.n(d.from))</td><td>\(Fmt.n(d.to))</td><td>\(Fmt.n(d.to - d.from))</td>"
            body += "<td class=\"l\">\(d.metric == doc.recommendedMetric ? "<span class=\"good\">← applies</span>" : "")</td></tr>"
        }
        body += "</tbody></table><p class=\"note\">\(Escape.html(doc.note))</p>"
        body += "<h2>Per-layer alpha, biggest movers first</h2>"
        body += c.deltas.isEmpty ? "<p class=\"note\">No layers in common.</p>" : DeltaTable.render(run: c.to.run, deltas: c.deltas, step: c.to.step)
        if !c.onlyInFrom.isEmpty { body += "<p class=\"note\">Only in \(Escape.html(c.from.run))@\(c.from.step): \(c.onlyInFrom.map(Escape.html).joined(separator: ", "))</p>" }
        if !c.onlyInTo.isEmpty { body += "<p class=\"note\">Only in \(Escape.html(c.to.run))@\(c.to.step): \(c.onlyInTo.map(Escape.html).joined(separator: ", "))</p>" }
        return Layout.page(title: "Compare \(run)", nav: "compare", body: body)
    }
}

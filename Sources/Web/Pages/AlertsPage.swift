import Alerts
import Foundation
import Store

/// `/alerts`: firing and resolved alerts, filterable by run, rule and state.
enum AlertsPage {
    static func render(store: HistoryStore, query: Query) throws -> String {
        let stateName = query.string("state") ?? "all"
        guard let state = HistoryAlertStore.State(rawValue: stateName) else {
            throw WebError.badRequest("state must be firing, resolved or all (got \"\(stateName)\")")
        }
        let run = query.string("run"), rule = query.string("rule")
        let runs = try store.runs().map(\.run)
        if let run, !runs.contains(run) { _ = try store.checkpoints(run: run) }  // unknown run: 404 with the store's sentence
        let everything = try HistoryAlertStore(store: store).list(run: run, state: state)
        let rules = Array(Set(try HistoryAlertStore(store: store).list(run: nil, state: .all).map(\.rule))).sorted()
        let alerts = everything.filter { rule == nil || $0.rule == rule }
        var body = "<h1>Alerts</h1><div class=\"sub\">\(alerts.count) alert\(alerts.count == 1 ? "" : "s")"
            + (run.map { " · run \(Escape.html($0))" } ?? "") + (rule.map { " · rule \(Escape.html($0))" } ?? "") + " · \(stateName)</div>"
        body += "<form class=\"filters\" method=\"get\" action=\"/alerts\">"
        body += select("run", [("", "all runs")] + runs.map { ($0, $0) }, run ?? "")
        body += select("rule", [("", "all rules")] + rules.map { ($0, $0) }, rule ?? "")
        body += select("state", [("all", "all"), ("firing", "firing"), ("resolved", "resolved")], stateName)
        body += "<button type=\"submit\">Filter</button></form>"
        if alerts.isEmpty {
            body += "<p class=\"note\">No alerts match.</p>"
        } else {
            body += "<table><thead><tr><th class=\"l\">state</th><th class=\"l\">run</th><th class=\"l\">rule</th><th class=\"l\">layer</th><th>step</th><th>value</th><th>threshold</th><th class=\"l\">fired</th><th class=\"l\">resolved</th><th class=\"l\">message</th></tr></thead><tbody>"
            for a in alerts {
                let layer = a.layer.isEmpty ? "<span class=\"dim\">run</span>"
                    : "<a href=\"\(Fmt.layer(a.run, a.layer, step: a.step))\">\(Escape.html(a.layer))</a>"
                body += "<tr><td class=\"l\"><span class=\"pill\(a.state == .firing ? " bad" : "")\">\(a.state.rawValue)</span></td>"
                body += "<td class=\"name\"><a href=\"\(Fmt.run(a.run))\">\(Escape.html(a.run))</a></td><td class=\"l\">\(Escape.html(a.rule))</td>"
                body += "<td class=\"name\">\(layer)</td><td>\(Fmt.step(a.step))</td><td>\(Fmt.n(a.value))</td><td>\(Fmt.n(a.threshold))</td>"
                body += "<td class=\"l\">\(Fmt.time(a.firedAt))</td><td class=\"l\">\(Fmt.time(a.resolvedAt))</td><td class=\"name\">\(Escape.html(a.message))</td></tr>"
            }
            body += "</tbody></table>"
        }
        return Layout.page(title: "Alerts", nav: "alerts", body: body, refresh: 30)
    }

    static func select(_ name: String, _ options: [(String, String)], _ chosen: String) -> String {
        var s = "<label>\(name)<select name=\"\(name)\">"
        for (v, label) in options {
            s += "<option value=\"\(Escape.html(v))\"\(v == chosen ? " selected" : "")>\(Escape.html(label))</option>"
        }
        return s + "</select></label>"
    }
}

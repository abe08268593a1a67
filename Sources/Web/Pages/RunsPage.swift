import Foundation
import Store

/// `/`: every run, its ⟨alpha⟩ trend, last step and time, status and alerts firing.
enum RunsPage {
    static func render(store: HistoryStore) throws -> String {
        let runs = try store.runs()
        var body = "<h1>Runs</h1><div class=\"sub\">\(runs.count) run\(runs.count == 1 ? "" : "s") in \(Escape.html(store.path))</div>"
        if runs.isEmpty {
            body += "<p class=\"note\">No runs recorded yet. Point the daemon at a checkpoint folder or run <code>wwmon ingest PATH --run NAME</code>.</p>"
            return Layout.page(title: "Runs", nav: "runs", body: body, refresh: 30)
        }
        body += "<table class=\"runs\"><thead><tr><th class=\"l\">run</th><th>⟨alpha⟩ trend</th><th>⟨alpha⟩</th><th>⟨alpha_w⟩</th><th>checkpoints</th><th>last step</th><th class=\"l\">last analysed</th><th class=\"l\">status</th><th>alerts</th></tr></thead><tbody>"
        for r in runs {
            let alpha = try store.summarySeries(run: r.run, metric: .alpha, last: 240).map { $0.isGap ? Double.nan : $0.value }
            let status: String
            if r.alertsFiring > 0 { status = "<span class=\"pill bad\">alerts firing</span>" }
            else if r.errors > 0 { status = "<span class=\"pill warn\">\(r.errors) unreadable</span>" }
            else if r.checkpoints == 0 { status = "<span class=\"pill warn\">no checkpoints</span>" }
            else { status = "<span class=\"pill\">ok</span>" }
            body += "<tr><td class=\"name\"><a href=\"\(Fmt.run(r.run))\">\(Escape.html(r.run))</a>"
            if let root = r.root { body += "<div class=\"dim\">\(Escape.html(root))</div>" }
            body += "</td><td>\(SparklineSVG.svg(alpha, band: 2...6))</td><td>\(Fmt.alpha(r.lastAlpha))</td><td>\(Fmt.n(r.lastAlphaWeighted))</td>"
            body += "<td>\(r.checkpoints)</td><td>\(Fmt.step(r.lastStep))</td><td class=\"l\">\(Fmt.time(r.lastAnalyzedAt))</td><td class=\"l\">\(status)</td>"
            body += "<td>" + (r.alertsFiring > 0 ? "<a class=\"bad\" href=\"\(Escape.link("/alerts", [("run", r.run)]))\">\(r.alertsFiring) firing</a>" : "<span class=\"dim\">–</span>") + "</td></tr>"
        }
        body += "</tbody></table>"
        return Layout.page(title: "Runs", nav: "runs", body: body, refresh: 30)
    }
}

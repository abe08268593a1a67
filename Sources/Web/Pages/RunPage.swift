import Alerts
import Foundation
import Metrics
import Store

/// `/run?run=NAME`: the summary metrics against step with the healthy band and alert markers,
/// the alpha heatmap (layers × checkpoints), the biggest movers since the previous checkpoint,
/// the latest checkpoint's layers and the recent checkpoints.
enum RunPage {
    /// Heatmap columns at most (sampled evenly, the latest always included).
    static let heatmapColumns = 60

    static func render(store: HistoryStore, run: String) throws -> String {
        let cps = try store.dashboardPoints(run: run)
        let analysed = cps.filter { $0.summary != nil }
        let alerts = try HistoryAlertStore(store: store).list(run: run, state: .all)
        let firing = alerts.filter { $0.state == .firing }
        let overview = try store.runs().first { $0.run == run }
        let root = overview?.root
        var body = "<h1>\(Escape.html(run))</h1><div class=\"sub\">\(root.map(Escape.html) ?? "")</div>"
        let last = analysed.last
        body += "<div class=\"cards\">"
        body += card("\(cps.count)", "checkpoints" + (cps.count > analysed.count ? " (\(cps.count - analysed.count) unreadable)" : ""))
        body += card(Fmt.step(cps.last?.step), "last step")
        body += card(Fmt.alpha(last?.summary?.alpha), "⟨alpha⟩ latest")
        body += card(Fmt.n(last?.summary?.alphaWeighted), "⟨alpha_weighted⟩ latest")
        body += card(firing.isEmpty ? "<span class=\"good\">none</span>" : "<a class=\"bad\" href=\"\(Escape.link("/alerts", [("run", run), ("state", "firing")]))\">\(firing.count) firing</a>", "alerts")
        body += card(Fmt.time(overview?.lastAnalyzedAt), "last analysed")
        body += "</div>"
        if analysed.isEmpty {
            body += "<p class=\"note\">No analysed checkpoints yet.</p>"
            return Layout.page(title: run, nav: "runs", body: body, refresh: 30)
        }

        // Summary charts: every checkpoint is a point; unreadable ones are gaps.
        let xs = cps.map { Double($0.step) }
        var seenSteps = Set<Int>()
        let markers = alerts.compactMap { a -> LineChart.Marker? in
            guard let s = a.step, seenSteps.insert(s).inserted else { return nil }
            return LineChart.Marker(x: Double(s), label: "\(a.rule) \(a.state.rawValue) at step \(s): \(a.message)")
        }.prefix(200)
        func series(_ kp: KeyPath<Summary, Double>) -> [Double] { cps.map { $0.summary?[keyPath: kp] ?? .nan } }
        body += "<h2>Summary against step</h2><div class=\"grid2\">"
        body += LineChart(title: "⟨alpha⟩ (healthy 2–6)", series: [.init(name: "⟨alpha⟩", xs: xs, ys: series(\.alpha))],
                          band: 2...6, markers: Array(markers)).svg()
        body += LineChart(title: "⟨alpha_weighted⟩", series: [.init(name: "⟨alpha_weighted⟩", xs: xs, ys: series(\.alphaWeighted))],
                          markers: Array(markers)).svg()
        body += LineChart(title: "⟨log_spectral_norm⟩", series: [.init(name: "⟨log_spectral_norm⟩", xs: xs, ys: series(\.logSpectralNorm))]).svg()
        body += LineChart(title: "⟨log_norm⟩", series: [.init(name: "⟨log_norm⟩", xs: xs, ys: series(\.logNorm))]).svg()
        body += LineChart(title: "⟨stable_rank⟩", series: [.init(name: "⟨stable_rank⟩", xs: xs, ys: series(\.stableRank))]).svg()
        body += "</div>"
        // Training metrics recorded with each checkpoint (eval loss, accuracy, …), each on its own axis.
        let trainingNames = Set(cps.flatMap(\.training.keys)).sorted()
        if !trainingNames.isEmpty {
            body += "<h2>Training metrics</h2><div class=\"grid2\">"
            for name in trainingNames {
                body += LineChart(title: name, series: [.init(name: name, xs: xs, ys: cps.map { $0.training[name] ?? .nan })],
                                  markers: Array(markers)).svg()
            }
            body += "</div>"
        }
        body += "<p class=\"note\">⟨alpha⟩ follows hyper-parameter changes within one architecture; ⟨alpha_weighted⟩ and ⟨log_spectral_norm⟩ follow depth and scale. Dashed red lines mark alerts.</p>"

        // Heatmap of alpha, sampled columns for long runs.
        let columns = sample(analysed, max: heatmapColumns)
        let matrix = try store.layerMatrix(run: run, metric: .alpha, checkpointIDs: columns.map(\.id))
        body += "<h2>Alpha per layer and checkpoint</h2>"
        let note = columns.count < analysed.count ? "\(columns.count) of \(analysed.count) checkpoints shown, evenly spaced, the latest included" : nil
        let heat = Heatmap(id: "hm", rows: matrix.layers, rowLinks: matrix.layers.map { Fmt.layer(run, $0) },
                           columns: columns.map(\.step), values: matrix.values, healthy: 2...6, note: note)
        body += heat.legend() + "<div class=\"hm-wrap\">" + heat.svg() + "</div>"

        // Movers since the previous analysed checkpoint.
        if analysed.count >= 2 {
            let (a, b) = (analysed[analysed.count - 2], analysed[analysed.count - 1])
            let c = try store.compare(run: run, from: a.step, to: b.step, metric: .alpha)
            body += "<h2>Biggest movers since step \(a.step)</h2><div class=\"sub\">alpha, step \(a.step) → \(b.step) · <a href=\"\(Escape.link("/compare", [("run", run), ("from", String(a.step)), ("to", String(b.step))]))\">full comparison</a></div>"
            body += DeltaTable.render(run: run, deltas: Array(c.deltas.prefix(10)), step: b.step)
        }

        // Latest checkpoint's layers.
        if let last, case let (_, report) = try store.layers(run: run, step: last.step) {
            body += "<h2>Layers at step \(last.step)</h2><table><thead><tr><th class=\"l\">layer</th><th class=\"l\">type</th><th>N × M</th><th>alpha</th><th>alpha_w</th><th>log_spec</th><th>stable_rank</th><th>D</th><th class=\"l\">warning</th></tr></thead><tbody>"
            for r in report.layers {
                let key = LayerKey.of(r)
                body += "<tr><td class=\"name\"><a href=\"\(Fmt.layer(run, key, step: last.step))\">\(Escape.html(key))</a></td><td class=\"l\">\(Escape.html(r.layerType))</td>"
                body += "<td>\(r.N) × \(r.M)</td><td>\(Fmt.alpha(r.alpha))</td><td>\(Fmt.n(r.alphaWeighted))</td><td>\(Fmt.n(r.logSpectralNorm))</td>"
                body += "<td>\(Fmt.n(r.stableRank, 2))</td><td>\(Fmt.n(r.D))</td><td class=\"l\">\(r.status == "success" ? Escape.html(r.warning) : "<span class=\"bad\">failed: \(Escape.html(r.reason ?? ""))</span>")</td></tr>"
            }
            body += "</tbody></table>"
        }

        // Recent checkpoints.
        body += "<h2>Recent checkpoints</h2><table><thead><tr><th>step</th><th>epoch</th><th class=\"l\">analysed</th><th class=\"l\">status</th><th>⟨alpha⟩</th><th>⟨alpha_w⟩</th><th>⟨log_spec⟩</th><th>layers</th><th class=\"l\">path</th></tr></thead><tbody>"
        let recent = try store.recentCheckpoints(run: run, count: 15)
        for c in recent.reversed() {
            let s = c.summary
            body += "<tr><td>\(c.step)</td><td>\(Fmt.n(c.epoch, 2))</td><td class=\"l\">\(Fmt.time(c.analyzedAt))</td>"
            body += "<td class=\"l\">" + (c.status == .ok ? "ok" : "<span class=\"bad\" title=\"\(Escape.html(c.error ?? ""))\">unreadable</span>") + "</td>"
            body += "<td>\(Fmt.alpha(s?.alpha))</td><td>\(Fmt.n(s?.alphaWeighted))</td><td>\(Fmt.n(s?.logSpectralNorm))</td>"
            body += "<td>\(s.map { "\($0.layersAnalyzed)" } ?? "–")</td><td class=\"name dim\">\(Escape.html(c.path))\(c.version > 1 ? " (v\(c.version))" : "")</td></tr>"
        }
        body += "</tbody></table>"
        return Layout.page(title: run, nav: "runs", body: body, refresh: 60)
    }

    static func card(_ value: String, _ label: String) -> String {
        "<div class=\"card\"><b>\(value)</b><span>\(Escape.html(label))</span></div>"
    }

    /// At most `max` items, evenly spaced, first and last included.
    static func sample<T>(_ items: [T], max: Int) -> [T] {
        guard items.count > max, max >= 2 else { return items }
        return (0..<max).map { items[Int((Double($0) * Double(items.count - 1) / Double(max - 1)).rounded())] }
    }
}

/// Per-layer deltas with a bar for the size of the move.
enum DeltaTable {
    static func render(run: String, deltas: [LayerDelta], step: Int?) -> String {
        let biggest = deltas.map { abs($0.delta) }.filter(\.isFinite).max() ?? 0
        var s = "<table><thead><tr><th class=\"l\">layer</th><th>from</th><th>to</th><th>delta</th><th class=\"l\"></th></tr></thead><tbody>"
        for d in deltas {
            let w = biggest > 0 && d.delta.isFinite ? Int((abs(d.delta) / biggest * 160).rounded()) : 0
            s += "<tr><td class=\"name\"><a href=\"\(Fmt.layer(run, d.layer, step: step))\">\(Escape.html(d.layer))</a></td>"
            s += "<td>\(Fmt.alpha(d.from))</td><td>\(Fmt.alpha(d.to))</td><td>\(d.delta > 0 ? "+" : "")\(Fmt.n(d.delta))</td>"
            s += "<td class=\"l\"><span class=\"bar \(d.delta >= 0 ? "up" : "down")\" style=\"width:\(w)px\"></span></td></tr>"
        }
        return s + "</tbody></table>"
    }
}

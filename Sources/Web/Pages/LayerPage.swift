import Foundation
import Metrics
import Store

/// `/layer?run=R&layer=L[&step=S][&vs=S0]`: the layer's metrics against step, and its ESD at
/// one checkpoint as WeightWatcher draws it, with an earlier checkpoint's ESD overlaid.
enum LayerPage {
    static func render(store: HistoryStore, run: String, layer: String, step: Int?, vs: Int?) throws -> String {
        let metrics: [(LayerMetric, String)] = [(.alpha, "alpha (healthy 2–6)"), (.alphaWeighted, "alpha_weighted"),
                                                 (.logSpectralNorm, "log_spectral_norm"), (.stableRank, "stable_rank")]
        let series = try metrics.map { m, title in
            (m, title, try store.layerSeries(run: run, layer: layer, metric: m))
        }
        var body = "<h1>\(Escape.html(layer))</h1><div class=\"sub\">layer of run <a href=\"\(Fmt.run(run))\">\(Escape.html(run))</a></div>"
        body += "<h2>Metrics against step</h2><div class=\"grid2\">"
        for (m, title, pts) in series {
            body += LineChart(title: title, series: [.init(name: m.rawValue, xs: pts.map { Double($0.step) },
                                                           ys: pts.map { $0.isGap ? .nan : $0.value })],
                              band: m.healthyRange).svg()
        }
        body += "</div>"

        // ESD.
        let steps = try store.spectrumSteps(run: run, layer: layer)
        body += "<h2>Empirical spectral density</h2>"
        guard let spectrum = try store.spectrum(run: run, layer: layer, step: step) else {
            if let step, !steps.isEmpty {
                throw WebError.notFound("no spectrum of layer \(layer) is stored for step \(step); stored steps: \(steps.map(String.init).joined(separator: ", "))")
            }
            body += "<p class=\"note\">No eigenvalues are stored for this layer\(step.map { " at step \($0)" } ?? ""). The daemon keeps them when <code>[store] esd = true</code> (the default); checkpoints recorded before, or with <code>wwmon ingest --no-esd</code>, have none.</p>"
            return Layout.page(title: layer, nav: "runs", body: body)
        }
        let earlierStep = vs ?? steps.first { $0 != spectrum.step && $0 < spectrum.step }
        let earlier = try earlierStep.flatMap { s in s == spectrum.step ? nil : try store.spectrum(run: run, layer: layer, step: s) }
        if let vs, earlier == nil {
            throw WebError.notFound("no spectrum of layer \(layer) is stored for step \(vs); stored steps: \(steps.map(String.init).joined(separator: ", "))")
        }
        let (_, report) = try store.layers(run: run, step: spectrum.step)
        let key = LayerKey.normalise(layer)
        let row = report.layers.first { LayerKey.of($0) == layer || LayerKey.of($0) == key }
        body += "<form class=\"filters\" method=\"get\" action=\"/layer\"><input type=\"hidden\" name=\"run\" value=\"\(Escape.html(run))\"><input type=\"hidden\" name=\"layer\" value=\"\(Escape.html(layer))\">"
        body += AlertsPage.select("step", steps.reversed().map { (String($0), String($0)) }, String(spectrum.step))
        body += AlertsPage.select("vs", [("", "none")] + steps.reversed().map { (String($0), String($0)) }, earlier.map { String($0.step) } ?? "")
        body += "<button type=\"submit\">Show</button></form>"
        let plot = ESDPlot(title: "ESD of \(layer) at step \(spectrum.step)",
                           current: .init(label: "step \(spectrum.step)", eigenvalues: spectrum.eigenvalues),
                           earlier: earlier.map { .init(label: "step \($0.step)", eigenvalues: $0.eigenvalues) },
                           alpha: row?.alpha, xmin: row?.xmin, xmax: row?.xmax, lambdaMax: row?.lambdaMax,
                           bulkMax: row?.bulkMax)
        body += "<div class=\"esd-wrap\">" + plot.svg() + "</div>"
        if let r = row {
            body += "<table class=\"facts\"><tbody><tr><th class=\"l\">alpha</th><td>\(Fmt.alpha(r.alpha))</td><th class=\"l\">xmin</th><td>\(Fmt.n(r.xmin, 4))</td>"
            body += "<th class=\"l\">λmax</th><td>\(Fmt.n(r.lambdaMax, 4))</td><th class=\"l\">D (KS)</th><td>\(Fmt.n(r.D))</td>"
            body += "<th class=\"l\">eigenvalues</th><td>\(spectrum.eigenvalues.count)</td><th class=\"l\">spikes</th><td>\(r.numPLSpikes)</td>"
            body += "<th class=\"l\">N × M</th><td>\(r.N) × \(r.M)</td></tr></tbody></table>"
        }
        body += "<p class=\"note\">Histogram of the eigenvalues of WᵀW above 1e-5 on log-log axes, the power law fitted from xmin (red), xmin and λmax marked. "
            + (row?.bulkMax.map { $0.isFinite } == true ? "The Marchenko–Pastur bulk edge (dotted) is from the analysis' MP fit. "
               : "The Marchenko–Pastur bulk edge is drawn where the analysis ran WeightWatcher's MP fit (`mp_fit`); this one did not. ")
            + "Spectra kept at steps: \(steps.map(String.init).joined(separator: ", ")).</p>"
        return Layout.page(title: layer, nav: "runs", body: body)
    }
}

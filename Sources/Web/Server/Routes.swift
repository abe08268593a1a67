import Alerts
import Foundation
import Hummingbird
import Logging
import Store
import Views

/// The URL space. Names (runs, layers) travel in the query string, never in the path, so
/// `../../etc/passwd` or a `/` inside a run name stays a value; the API's parameters are the
/// CLI's option names (`/api/v1/history?run=R&layer=L&metric=alpha` ≙ `wwmon history R
/// --layer L --metric alpha --json`), and its bodies come from the same `Views` encoders.
enum Routes {
    static func router(store: HistoryStore, exposition: StoreExposition, logger: Logger) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorMiddleware(logger: logger))

        // Pages.
        router.get("/") { _, _ in Reply.html(try RunsPage.render(store: store)) }
        router.get("/run") { req, _ in
            Reply.html(try RunPage.render(store: store, run: try query(req).required("run")))
        }
        router.get("/layer") { req, _ in
            let q = query(req)
            return Reply.html(try LayerPage.render(store: store, run: try q.required("run"), layer: try q.required("layer"),
                                                   step: try q.int("step"), vs: try q.int("vs")))
        }
        router.get("/compare") { req, _ in Reply.html(try ComparePage.render(store: store, query: query(req))) }
        router.get("/alerts") { req, _ in Reply.html(try AlertsPage.render(store: store, query: query(req))) }
        router.get("/rank") { req, _ in Reply.html(try RankPage.render(store: store, query: query(req))) }

        // JSON API: exactly `wwmon … --json`.
        let api = router.group("api/v1")
        api.get("runs") { _, _ in Reply.json(try RunView.json(try store.runs())) }
        api.get("checkpoints") { req, _ in
            Reply.json(try CheckpointView.json(try store.checkpoints(run: try query(req).required("run"))))
        }
        api.get("history") { req, _ in
            let q = query(req)
            let run = try q.required("run")
            let target: HistoryQuery
            do { target = try HistoryQuery(metrics: q.all("metric"), layer: q.string("layer"), summary: q.bool("summary")) }
            catch let e as HistoryQuery.Invalid { throw WebError.badRequest(e.description) }
            let last = try q.int("last")
            if let last, last < 1 { throw WebError.badRequest("last must be at least 1") }
            let resolved: HistoryQuery
            do { resolved = try target.resolved(store, run: run) } catch let e as HistoryQuery.Invalid { throw WebError.badRequest(e.description) }
            return Reply.json(HistoryView.json(run: run, try resolved.series(store, run: run, last: last)))
        }
        api.get("layers") { req, _ in
            let q = query(req)
            let (_, report) = try store.layers(run: try q.required("run"), step: try q.int("step"))
            return Reply.json(try LayersView.json(report))
        }
        api.get("compare") { req, _ in
            let q = query(req)
            let name = q.string("metric") ?? "alpha"
            guard let metric = LayerMetric(rawValue: name) else {
                throw WebError.badRequest("Unknown layer metric \"\(name)\"; choose from \(LayerMetric.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            let c = try store.compare(run: try q.required("run"), from: try q.int("from"), to: try q.int("to"),
                                      metric: metric, otherRun: q.string("with"))
            return Reply.json(try CompareView(c).json())
        }
        api.get("alerts") { req, _ in
            let q = query(req)
            let stateName = q.string("state") ?? "firing"
            guard let state = HistoryAlertStore.State(rawValue: stateName) else {
                throw WebError.badRequest("state must be firing, resolved or all (got '\(stateName)')")
            }
            let run = q.string("run")
            if let run { _ = try store.checkpoints(run: run) }  // 404 for an unknown run
            return Reply.json(try AlertView.json(try HistoryAlertStore(store: store).list(run: run, state: state)))
        }
        api.get("spectrum") { req, _ in
            let q = query(req)
            let run = try q.required("run"), layer = try q.required("layer")
            guard let s = try store.spectrum(run: run, layer: layer, step: try q.int("step")) else {
                throw WebError.notFound("no spectrum of layer \(layer) is stored for run \(run)")
            }
            return Reply.json(try SpectrumView(run: run, layer: layer, spectrum: s).json())
        }

        router.get("/metrics") { _, _ in Reply.prometheus(try exposition.render()) }
        return router
    }

    static func query(_ req: Request) -> Query {
        var values: [String: [String]] = [:]
        for (k, v) in req.uri.queryParameters { values[String(k), default: []].append(String(v)) }
        return Query(values: values)
    }
}

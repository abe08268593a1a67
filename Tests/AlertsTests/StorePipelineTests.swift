import Analysis
import Foundation
import Metrics
import Store
import Testing
@testable import Alerts

/// The pipeline over a real SQLite history: checkpoints recorded by Store, alerts and hook
/// runs persisted in its tables, state surviving a restart.
@Suite struct StorePipelineTests: RecordsCheckpoints {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)


    @Test("transitions land in alerts, hook runs in hook_runs linked to them, and a restart does not re-fire")
    func persistsAndResumes() async throws {
        let dir = try scratchDir()
        let store = try HistoryStore(path: dir.appendingPathComponent("wwmon.db").path)
        let backend = HistoryAlertStore(store: store)
        let hook = HookConfig(name: "keep", command: ["/bin/sh", "-c", #"cat > "$1/$$.json""#, "sh", dir.path])
        var settings = RuleSettings(); settings.global.driftAbs = 100; settings.global.driftSigma = 1e9
        let dispatcher = HookDispatcher(hooks: [hook], sink: backend)
        let pipeline = AlertPipeline(settings: settings, store: backend, dispatcher: dispatcher)

        // Layer "q" dips below alpha_min at step 300 and recovers at step 500.
        let alphas = [3.0, 3.0, 1.8, 1.7, 3.0]
        var byStep: [Int: [AlertEvent]] = [:]
        for (i, a) in alphas.enumerated() {
            let step = 100 * (i + 1)
            let rows = [row("q", alpha: a), row("ok", alpha: 4)]
            let s = try record(store, run: "bert", step: step, rows: rows)
            byStep[step] = try await pipeline.checkpointRecorded(run: "bert", step: step, rows: rows, summary: s,
                                                                 at: t0 + Double(i) * 60)
        }
        #expect(byStep[300]?.brief == ["fired alpha_out_of_range q"])
        #expect(byStep[400]?.isEmpty == true)
        #expect(byStep[500]?.brief == ["resolved alpha_out_of_range q"])
        await dispatcher.idle()

        let all = try backend.list(run: "bert", state: .all)
        #expect(all.count == 1)
        #expect(all[0].rule == "alpha_out_of_range" && all[0].layer == "q" && all[0].state == .resolved)
        #expect(all[0].firedAt == t0 + 120 && all[0].resolvedAt == t0 + 240 && all[0].step == 500)
        let runs = try backend.hookRuns()
        #expect(runs.count == 2 && runs.allSatisfy { $0.exitStatus == 0 && $0.alertID == all[0].id && $0.hook == "keep" })

        // Fires again at 600; a fresh pipeline (daemon restart) over the same database must
        // not announce it a second time at 700.
        let r6 = [row("q", alpha: 1.5), row("ok", alpha: 4)]
        let s6 = try record(store, run: "bert", step: 600, rows: r6)
        #expect(try await pipeline.checkpointRecorded(run: "bert", step: 600, rows: r6, summary: s6, at: t0 + 300).brief
                == ["fired alpha_out_of_range q"])
        let restarted = AlertPipeline(settings: settings, store: backend, dispatcher: dispatcher)
        let s7 = try record(store, run: "bert", step: 700, rows: r6)
        #expect(try await restarted.checkpointRecorded(run: "bert", step: 700, rows: r6, summary: s7, at: t0 + 360).isEmpty)
        // The row keeps what hooks were told (step 600) until a repeat or the resolution.
        #expect(try backend.list(run: "bert", state: .firing).map(\.step) == [600])
        await dispatcher.idle()
        #expect(try backend.hookRuns().count == 3)
    }

    @Test("history for the rules comes from the store: drift is judged against the previous recorded checkpoint")
    func historyFromStore() async throws {
        let dir = try scratchDir()
        let store = try HistoryStore(path: dir.appendingPathComponent("wwmon.db").path)
        let backend = HistoryAlertStore(store: store)
        let pipeline = AlertPipeline(settings: RuleSettings(), store: backend,
                                     dispatcher: HookDispatcher(hooks: []))
        let r1 = [row("q", alpha: 3.0), row("ok", alpha: 4)]
        _ = try await pipeline.checkpointRecorded(run: "r", step: 100, rows: r1, summary: try record(store, run: "r", step: 100, rows: r1), at: t0)
        let r2 = [row("q", alpha: 3.9), row("ok", alpha: 4)]
        let ev = try await pipeline.checkpointRecorded(run: "r", step: 200, rows: r2, summary: try record(store, run: "r", step: 200, rows: r2), at: t0 + 60)
        #expect(ev.brief == ["fired alpha_drift q"])
        #expect(ev[0].alert.message.contains("since step 100"))
    }

    @Test("an unknown run in `alerts RUN` is an error naming the runs that exist")
    func unknownRun() throws {
        let dir = try scratchDir()
        let store = try HistoryStore(path: dir.appendingPathComponent("wwmon.db").path)
        _ = try record(store, run: "bert", step: 100, rows: [row("q", alpha: 3)])
        #expect(throws: StoreError.unknownRun("gpt", known: ["bert"])) {
            try HistoryAlertStore(store: store).list(run: "gpt", state: .all)
        }
    }
}

import Foundation
import Testing
@testable import Daemon

func job(_ path: String, run: String = "r") -> AnalysisJob {
    let c = CheckpointCandidate(path: path, kind: .file, run: run, root: (path as NSString).deletingLastPathComponent,
                                files: [path])
    return AnalysisJob(candidate: c, fingerprint: c.stamps()!)
}

func collect<P>(_ s: AnalysisScheduler<P>, count: Int) async -> [AnalysisScheduler<P>.Finished] {
    var out: [AnalysisScheduler<P>.Finished] = []
    for await f in s.finished { out.append(f); if out.count == count { break } }
    return out
}

@Suite("Scheduler: one at a time, newest first, none dropped, never twice")
struct SchedulerTests {
    /// With a backlog, the newest checkpoint (latest mtime) goes first; every one is done once.
    @Test func backlogNewestFirstNoneDropped() async throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let gate = Gate()
        let p = LedgerPipeline(ledger: tmp.sub("ledger.jsonl"), gate: gate)
        let s = AnalysisScheduler(pipeline: p, concurrency: 1)
        var jobs: [AnalysisJob] = []
        for i in 1...6 {
            let path = tmp.sub("step_\(i).safetensors")
            try writeSafetensors(path, seed: i)
            // Distinct, increasing mtimes.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000 + Double(i))], ofItemAtPath: path)
            jobs.append(job(path))
        }
        for j in jobs { #expect(await s.submit(j)) }
        #expect(await s.submit(jobs[2]) == false)          // same key: not queued twice
        #expect(await eventually { await gate.arrivals.count == 1 })
        #expect(await s.runningCount == 1)                  // one at a time
        await gate.openGate()
        let done = await collect(s, count: 6)
        #expect(done.allSatisfy { if case .recorded = $0.outcome { true } else { false } })
        let order = await gate.arrivals.map { lastPathComponent($0) }
        // The first job started before the others were queued; the backlog then runs newest first.
        #expect(order == ["step_1.safetensors", "step_6.safetensors", "step_5.safetensors", "step_4.safetensors",
                          "step_3.safetensors", "step_2.safetensors"])
        #expect(p.entries().count == 6)
        #expect(await s.submit(jobs[0]) == false)           // done: never again in this process
    }

    /// A bad file is recorded as an error; a deleted one is skipped; a changed one is dropped.
    @Test func errorsGoneAndChanged() async throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let p = LedgerPipeline(ledger: tmp.sub("ledger.jsonl"))
        let s = AnalysisScheduler(pipeline: p, concurrency: 2)
        let bad = tmp.sub("bad.safetensors")
        try safetensorsBytes().prefix(40).write(to: URL(fileURLWithPath: bad))
        let gone = tmp.sub("gone.safetensors"); try writeSafetensors(gone)
        let goneJob = job(gone); try FileManager.default.removeItem(atPath: gone)
        let changed = tmp.sub("changed.safetensors"); try writeSafetensors(changed)
        let changedJob = job(changed); try writeSafetensors(changed, rows: 16)
        let good = tmp.sub("good.safetensors"); try writeSafetensors(good)
        for j in [job(bad), goneJob, changedJob, job(good)] { await s.submit(j) }
        let done = await collect(s, count: 4)
        let by = Dictionary(uniqueKeysWithValues: done.map { (lastPathComponent($0.job.path), $0.outcome) })
        guard case .failed(let why) = by["bad.safetensors"] else { Issue.record("bad: \(String(describing: by["bad.safetensors"]))"); return }
        #expect(why.contains("bad.safetensors"))
        #expect(by["gone.safetensors"] == .gone)
        #expect(by["changed.safetensors"] == .changed)
        #expect(by["good.safetensors"] == .recorded(RecordSummary(step: nil, layerCount: 1)))
        let e = p.entries()
        #expect(e.count == 2)
        #expect(e.first { $0.path == bad }?.error != nil)
        // Already in the store (an earlier process): not analysed again.
        let s2 = AnalysisScheduler(pipeline: p, concurrency: 1)
        await s2.submit(job(good))
        #expect(await collect(s2, count: 1).first?.outcome == .alreadyRecorded)
    }

    /// Shutdown abandons a running analysis and writes nothing for it.
    @Test func shutdownAbandonsWithoutWriting() async throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let gate = Gate()
        let p = LedgerPipeline(ledger: tmp.sub("ledger.jsonl"), gate: gate)
        let s = AnalysisScheduler(pipeline: p, concurrency: 1)
        let a = tmp.sub("a.safetensors"); try writeSafetensors(a)
        await s.submit(job(a))
        #expect(await eventually { await gate.arrivals.count == 1 })
        let results = Task { await collect(s, count: 1) }
        await s.shutdown(timeout: .milliseconds(100))
        await gate.openGate()
        #expect(await results.value.first?.outcome == .abandoned)
        #expect(p.entries().isEmpty)
    }
}

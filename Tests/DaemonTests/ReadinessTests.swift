import Foundation
import Store
import Testing
@testable import Daemon
import TestSupport

@Suite("Readiness: names, layouts, format completeness, settle rules")
struct ReadinessTests {
    /// Only weights are checkpoints: files frameworks write beside them never become candidates,
    /// and Lightning's version_N folders are runs of their own (issue 9.3, 9.4).
    @Test func companionsAreNotCandidatesAndVersionsAreRuns() throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let run = tmp.sub("bert-lr3e-4")
        for f in ["training_args.bin", "optimizer.pt", "scheduler.pt", "rng_state_0.pth", "scaler.pt",
                  "optimizer.bin", "sampler.bin", "tokenizer.json"] {
            try writeText(run + "/" + f, "x")
        }
        try writeSafetensors(run + "/model.safetensors")
        try writeSafetensors(run + "/lightning_logs/version_0/checkpoints/epoch=0-step=5.safetensors")
        try writeSafetensors(run + "/lightning_logs/version_1/checkpoints/epoch=0-step=5.safetensors")
        try writeSafetensors(run + "/version_2/checkpoints/last.safetensors")
        let found = CheckpointLayout.scan(runDir: run, run: "bert-lr3e-4", root: tmp.path,
                                          patterns: WatchSettings.defaultPatterns, maxDepth: 4)
        let byPath = Dictionary(uniqueKeysWithValues: found.map { ($0.path.replacingOccurrences(of: run + "/", with: ""), $0.run) })
        #expect(byPath == ["model.safetensors": "bert-lr3e-4",
                           "lightning_logs/version_0/checkpoints/epoch=0-step=5.safetensors": "bert-lr3e-4/version_0",
                           "lightning_logs/version_1/checkpoints/epoch=0-step=5.safetensors": "bert-lr3e-4/version_1",
                           "version_2/checkpoints/last.safetensors": "bert-lr3e-4/version_2"])
    }

    @Test func temporaryNamesAreIgnored() {
        for n in [".tmpab12cd", "tmp-checkpoint-500", "model.safetensors.partial", "x.pt.tmp123",
                  "step1.ckpt.part", ".hidden.pt", "a.orbax-checkpoint-tmp-123"] {
            #expect(CheckpointLayout.isTemporary(n), "\(n)")
        }
        for n in ["checkpoint-500", "model.safetensors", "epoch=1-step=2.ckpt"] {
            #expect(!CheckpointLayout.isTemporary(n), "\(n)")
        }
    }

    /// The real safetensors writer's output is whole; every truncation of it is not.
    @Test func safetensorsWholeAndTruncated() throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        // Written by the real safetensors writer (Tests/Fixtures/reference/gen_cases.py).
        let src = URL(fileURLWithPath: try ReferenceFixtures.casePath("d_conv2d_64x32x3x3"))
        let data = try Data(contentsOf: src)
        let whole = tmp.sub("w.safetensors"); try data.write(to: URL(fileURLWithPath: whole))
        #expect(FormatCheck.open(whole).state == .whole)
        for cut in [4, 8, 100, data.count / 2, data.count - 1] {
            let p = tmp.sub("t\(cut).safetensors")
            try data.prefix(cut).write(to: URL(fileURLWithPath: p))
            guard case .incomplete(let why) = FormatCheck.open(p).state else { Issue.record("cut \(cut) passed"); continue }
            #expect(why.contains(p))
        }
        let longer = tmp.sub("long.safetensors"); try (data + Data([0])).write(to: URL(fileURLWithPath: longer))
        #expect(FormatCheck.open(longer).state != .whole)
        #expect(FormatCheck.open(tmp.sub("missing.safetensors")).state == .gone)
    }

    /// numpy's .npz is a zip: whole as written; without its end record it is incomplete.
    @Test func zipNeedsItsCentralDirectory() throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let data = try Data(contentsOf: URL(fileURLWithPath: try ReferenceFixtures.casePath("d_conv2d_64x32x3x3", "weights.npz")))
        let whole = tmp.sub("w.npz"); try data.write(to: URL(fileURLWithPath: whole))
        #expect(FormatCheck.open(whole).state == .whole)
        let asTorch = tmp.sub("w.pt"); try data.write(to: URL(fileURLWithPath: asTorch))
        #expect(FormatCheck.open(asTorch).state == .whole)
        for cut in [30, data.count / 2, data.count - 10, data.count - 23] {
            let p = tmp.sub("t\(cut).pt"); try data.prefix(cut).write(to: URL(fileURLWithPath: p))
            #expect(FormatCheck.open(p).state != .whole, "cut \(cut)")
        }
    }

    @Test func npySizeMatchesHeader() throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        d.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        d.append(contentsOf: Array(header.utf8)); d.append(Data(count: 48))
        let p = tmp.sub("a.npy"); try d.write(to: URL(fileURLWithPath: p))
        #expect(FormatCheck.open(p).state == .whole)
        try d.dropLast(4).write(to: URL(fileURLWithPath: p))
        #expect(FormatCheck.open(p).state != .whole)
    }

    /// HF folders, Lightning files, DeepSpeed tags, shard indexes, loose files; temp names skipped.
    @Test func layoutFindsEachKindOfCheckpoint() throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let run = tmp.sub("run")
        try writeSafetensors(run + "/checkpoint-500/model.safetensors")
        try writeText(run + "/checkpoint-500/trainer_state.json", "{\"global_step\": 500}")
        try writeSafetensors(run + "/tmp-checkpoint-600/model.safetensors")
        try writeSafetensors(run + "/lightning_logs/version_0/checkpoints/epoch=1-step=20.safetensors")
        try writeSafetensors(run + "/step_7.safetensors")
        try writeSafetensors(run + "/.tmpXYZ.safetensors")
        try writeSafetensors(run + "/model-00001-of-00002.safetensors", seed: 1, name: "a")
        try writeSafetensors(run + "/model-00002-of-00002.safetensors", seed: 2, name: "b")
        try writeText(run + "/model.safetensors.index.json", """
        {"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
        """)
        try writeSafetensors(run + "/global_step30/mp_rank_00_model_states.safetensors")
        try writeText(run + "/latest", "global_step30\n")
        let found = CheckpointLayout.scan(runDir: run, run: "r", root: tmp.path,
                                          patterns: WatchSettings.defaultPatterns, maxDepth: 4)
        let byPath = Dictionary(uniqueKeysWithValues: found.map { ($0.path.replacingOccurrences(of: run + "/", with: ""), $0) })
        #expect(Set(byPath.keys) == ["checkpoint-500", "lightning_logs/version_0/checkpoints/epoch=1-step=20.safetensors",
                                      "step_7.safetensors", "model.safetensors.index.json", "global_step30"])
        #expect(byPath["checkpoint-500"]?.kind == .directory)
        #expect(byPath["checkpoint-500"]?.files.count == 2)
        #expect(byPath["model.safetensors.index.json"]?.files.count == 3)
        for c in found { #expect(c.completeness() == .whole, "\(c.path)") }
    }

    @Test func incompleteDirectoriesAreNotWhole() throws {
        let tmp = try TempDir(); defer { tmp.cleanup() }
        let run = tmp.sub("run")
        // An index naming a shard that has not arrived.
        try writeSafetensors(run + "/sharded/model-00001-of-00002.safetensors", name: "a")
        try writeText(run + "/sharded/model.safetensors.index.json", """
        {"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
        """)
        // DeepSpeed: `latest` still names the previous tag.
        try writeSafetensors(run + "/global_step40/mp_rank_00_model_states.safetensors")
        try writeText(run + "/latest", "global_step30")
        // HF: trainer_state.json half-written.
        try writeSafetensors(run + "/checkpoint-9/model.safetensors")
        try writeText(run + "/checkpoint-9/trainer_state.json", "{\"global_st")
        let found = CheckpointLayout.scan(runDir: run, run: "r", root: tmp.path,
                                          patterns: WatchSettings.defaultPatterns, maxDepth: 4)
        #expect(found.count == 3)
        for c in found {
            guard case .incomplete = c.completeness() else { Issue.record("\(c.path) judged whole"); continue }
        }
    }

    /// Settle: ready only after the fingerprint has been unchanged for the settle time; any
    /// change restarts the clock; incomplete-but-unchanged becomes an error after its deadline.
    @Test func settleRules() {
        var t = ReadinessTracker()
        let t0 = ContinuousClock.now
        let a = FileStamps(files: [FileStamp(path: "/r/a", size: 10, mtimeNs: 1, inode: 5, device: 1)])
        let b = FileStamps(files: [FileStamp(path: "/r/a", size: 20, mtimeNs: 2, inode: 5, device: 1)])
        let s = Duration.seconds(5), inc = Duration.seconds(60)
        var checks = 0
        func look(_ fp: FileStamps?, _ at: Duration, _ c: FormatState = .whole) -> ReadinessTracker.Decision {
            t.observe(path: "/r/a", fingerprint: fp, settle: s, incompleteAfter: inc, now: t0 + at) { checks += 1; return c }
        }
        #expect(look(a, .zero) == .wait(until: t0 + s))
        #expect(look(a, .seconds(3)) == .wait(until: t0 + s))
        #expect(look(b, .seconds(4)) == .wait(until: t0 + .seconds(9)))   // grew: clock restarts
        #expect(checks == 0)
        #expect(look(b, .seconds(9), .incomplete("x")) == .wait(until: t0 + .seconds(14)))
        #expect(look(b, .seconds(10)) == .ready(b))
        #expect(look(b, .seconds(11)) == .handled)                          // never twice
        #expect(look(a, .seconds(12)) == .wait(until: t0 + .seconds(17)))  // rewritten: a new checkpoint
        #expect(look(a, .seconds(80), .incomplete("truncated")) == .failed(a, "truncated"))
        #expect(look(nil, .seconds(81)) == .gone)
    }

    /// A checkpoint whose files were last written long ago (found by the catch-up scan) is
    /// ready at first sight; a fresh one still waits.
    @Test func oldFilesHaveAlreadySettled() {
        var t = ReadinessTracker()
        let now = ContinuousClock.now
        let fp = FileStamps(files: [FileStamp(path: "/r/a", size: 1, mtimeNs: 1, inode: 1, device: 1)])
        #expect(t.observe(path: "/r/a", fingerprint: fp, settle: .seconds(5), incompleteAfter: .seconds(60),
                          now: now, quietFor: .seconds(3600)) { .whole } == .ready(fp))
        #expect(t.observe(path: "/r/b", fingerprint: fp, settle: .seconds(5), incompleteAfter: .seconds(60),
                          now: now, quietFor: .seconds(2)) { .whole } == .wait(until: now + .seconds(3)))
    }
}

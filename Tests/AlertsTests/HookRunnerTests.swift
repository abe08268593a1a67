import Foundation
import Testing
@testable import Alerts
#if canImport(Glibc)
import Glibc
#endif

typealias RecordingSink = HookRunLog

/// A fresh scratch directory per test.
func scratchDir() throws -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-alerts-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

func event(run: String = "run-a", layer: String = "enc.0.q", message: String = "alpha low",
           kind: AlertEvent.Kind = .fired, step: Int = 100, at: Date = Date()) -> AlertEvent {
    AlertEvent(kind: kind,
               alert: AlertState(fingerprint: AlertFingerprint(rule: .alphaOutOfRange, run: run, layer: layer),
                                 metric: "alpha", status: kind == .resolved ? .resolved : .firing,
                                 step: step, value: 1.5, threshold: 2, message: message, firedAt: at,
                                 resolvedAt: kind == .resolved ? at : nil, lastSentAt: at),
               at: at)
}

/// A process that exists and is not a zombie.
func isRunning(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
}

/// Waits (bounded) for a process to disappear: signal delivery is asynchronous.
func gone(_ pid: pid_t) async -> Bool {
    for _ in 0..<100 {
        if !isRunning(pid) { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return false
}

/// Real hook processes: timeouts, exit codes, hostile event data, floods.
@Suite struct HookRunnerTests {
    @Test("a hook that hangs is killed at its timeout together with a grandchild that ignores SIGTERM")
    func timeoutKillsProcessGroup() async throws {
        let dir = try scratchDir()
        let pidFile = dir.appendingPathComponent("grandchild.pid").path
        // The grandchild ignores SIGTERM, so swift-subprocess's group SIGTERM kills only the
        // shell; the runner's own group SIGKILL must take the grandchild down.
        let hook = HookConfig(name: "hang", command: [
            "/bin/sh", "-c", #"sh -c 'trap "" TERM; exec sleep 300' & echo $! > "$1"; wait"#, "sh", pidFile,
        ], timeoutSeconds: 1)
        let sink = RecordingSink()
        let d = HookDispatcher(hooks: [hook], options: HookRunnerOptions(killGraceSeconds: 0.2), sink: sink)
        await d.send([event()])
        await d.idle()
        let rec = try #require(await sink.records.first)
        #expect(rec.outcome == .timedOut)
        #expect(rec.exitStatus == 124)
        let pid = try #require(pid_t(String(contentsOfFile: pidFile, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await gone(pid), "grandchild \(pid) survived the hook's timeout")
    }

    @Test("a hook exiting 1 is recorded with its exit status and stderr tail")
    func failingHookIsRecorded() async throws {
        let hook = HookConfig(name: "fails", command: ["/bin/sh", "-c", "echo 'webhook returned 500' >&2; exit 1"])
        let sink = RecordingSink()
        let d = HookDispatcher(hooks: [hook], sink: sink)
        let e = event()
        await d.send([e])
        await d.idle()
        let recs = await sink.records
        #expect(recs.count == 1)
        #expect(recs[0].outcome == .exited(1) && recs[0].exitStatus == 1 && !recs[0].succeeded)
        #expect(recs[0].stderrTail == "webhook returned 500\n")
        #expect(recs[0].hook == "fails" && recs[0].alerts == [e.alert.fingerprint])
        #expect(recs[0].durationSeconds >= 0)
    }

    @Test("a hook whose executable does not exist is recorded as a spawn failure (127), not a crash")
    func missingExecutable() async throws {
        let sink = RecordingSink()
        let d = HookDispatcher(hooks: [HookConfig(name: "nope", command: ["/nonexistent/wwmon-hook"])], sink: sink)
        await d.send([event()])
        await d.idle()
        let rec = try #require(await sink.records.first)
        guard case .spawnFailed(let why) = rec.outcome else { Issue.record("got \(rec.outcome)"); return }
        #expect(why.contains("/nonexistent/wwmon-hook"))
        #expect(rec.exitStatus == 127)
    }

    @Test("event data full of shell metacharacters reaches hooks literally, in a clean environment, and runs nothing")
    func hostileDataIsLiteral() async throws {
        let dir = try scratchDir()
        let pwned = "/tmp/pwned-\(UUID().uuidString)"
        let layer = "$(touch \(pwned))`touch \(pwned)`;touch \(pwned)|\"'\n\\ ${IFS}*"
        let message = "alpha 1.5 < 2 \"quoted\" 'single' `touch \(pwned)` $(touch \(pwned))\nline2; rm -rf / &"
        let run = "run'\"$HOME"
        let e = event(run: run, layer: layer, message: message)
        let shellOut = dir.appendingPathComponent("layer.txt").path
        let hooks = [
            // No shell at all: what the process really receives.
            HookConfig(name: "env", command: ["/usr/bin/env", "-0"]),
            HookConfig(name: "stdin", command: ["/bin/cat"]),
            // A user's shell hook that reads the data from the environment, as documented.
            HookConfig(name: "shell", command: ["/bin/sh", "-c", #"printf '%s' "$WWMON_LAYER" > "$1""#, "sh", shellOut]),
        ]
        let sink = RecordingSink()
        let d = HookDispatcher(hooks: hooks, options: HookRunnerOptions(tailBytes: 1 << 20), sink: sink)
        await d.send([e])
        await d.idle()
        let recs = Dictionary(uniqueKeysWithValues: await sink.records.map { ($0.hook, $0) })
        #expect(recs.values.allSatisfy { $0.succeeded })

        var env: [String: String] = [:]
        for entry in try #require(recs["env"]).stdoutTail.split(separator: "\0", omittingEmptySubsequences: true) {
            let eq = entry.firstIndex(of: "=")!
            env[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
        }
        let opts = HookRunnerOptions()
        #expect(env == HookPayload(hook: "env", events: [e]).environment(path: opts.path, home: opts.home))
        #expect(Set(env.keys).subtracting(["PATH", "HOME"]).allSatisfy { $0.hasPrefix("WWMON_") })
        #expect(env["WWMON_LAYER"] == layer && env["WWMON_MESSAGE"] == message && env["WWMON_RUN"] == run)
        #expect(env["WWMON_EVENT"] == "fired" && env["WWMON_RULE"] == "alpha_out_of_range"
                && env["WWMON_STATE"] == "firing" && env["WWMON_STEP"] == "100"
                && env["WWMON_VALUE"] == "1.5" && env["WWMON_THRESHOLD"] == "2.0"
                && env["WWMON_METRIC"] == "alpha")

        let doc = try JSONSerialization.jsonObject(with: Data(try #require(recs["stdin"]).stdoutTail.utf8)) as! [String: Any]
        let alert = (doc["alerts"] as! [[String: Any]])[0]
        let labels = alert["labels"] as! [String: String]
        #expect(doc["status"] as? String == "firing")
        #expect(labels["layer"] == layer && labels["run"] == run && labels["rule"] == "alpha_out_of_range")
        #expect((alert["annotations"] as! [String: String])["summary"] == message)
        #expect(alert["endsAt"] is NSNull)

        #expect(try String(contentsOfFile: shellOut, encoding: .utf8) == layer)
        #expect(!FileManager.default.fileExists(atPath: pwned), "event data was executed")
    }

    @Test("1,000 alerts in a burst run at most pool-size processes at once, coalesced, in order, losing none")
    func burstIsBoundedAndLossless() async throws {
        let dir = try scratchDir()
        try "0".write(toFile: dir.appendingPathComponent("count").path, atomically: true, encoding: .utf8)
        // Each invocation bumps a shared counter under flock on start, logs the concurrency it
        // saw, keeps its stdin, lingers so invocations overlap, then decrements the counter.
        let script = #"""
        d="$1"
        exec 9>>"$d/lock"
        flock 9; n=$(( $(cat "$d/count") + 1 )); echo $n > "$d/count"; echo $n >> "$d/seen"; flock -u 9
        cat > "$d/$WWMON_HOOK.$$.json"
        sleep 0.05
        flock 9; echo $(( $(cat "$d/count") - 1 )) > "$d/count"; flock -u 9
        """#
        let hooks = (0..<6).map { HookConfig(name: "h\($0)", command: ["/bin/sh", "-c", script, "sh", dir.path]) }
        let sink = RecordingSink()
        let opts = HookRunnerOptions(poolSize: 4, maxBatch: 50)
        let d = HookDispatcher(hooks: hooks, options: opts, sink: sink)
        let events = (0..<1000).map { event(layer: "layer.\($0)") }
        await d.send(events)
        await d.idle()

        let seen = try String(contentsOfFile: dir.appendingPathComponent("seen").path, encoding: .utf8)
            .split(separator: "\n").compactMap { Int($0) }
        #expect(seen.count == 6 * 20, "each hook runs ceil(1000 / 50) times")
        #expect(seen.max()! <= 4, "more than poolSize hooks ran at once")

        let recs = await sink.records
        #expect(recs.count == 120 && recs.allSatisfy { $0.succeeded })
        for h in hooks {
            // In queue order across invocations, every event exactly once.
            let delivered = recs.filter { $0.hook == h.name }.flatMap(\.alerts)
            #expect(delivered == events.map(\.alert.fingerprint))
            // And what the processes actually read on stdin covers all 1,000.
            var layers: [String] = []
            for f in try FileManager.default.contentsOfDirectory(atPath: dir.path) where f.hasPrefix("\(h.name).") {
                let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(f))) as! [String: Any]
                layers += (doc["alerts"] as! [[String: Any]]).map { ($0["labels"] as! [String: String])["layer"]! }
            }
            #expect(layers.sorted() == events.map(\.alert.fingerprint.layer).sorted())
        }
    }

    @Test("sending to an unknown hook name is an error that lists the configured hooks")
    func unknownHook() async {
        let d = HookDispatcher(hooks: [HookConfig(name: "notify", command: ["/bin/true"])])
        await #expect(throws: HookDispatcher.DispatchError.self) { try await d.send([event()], toHook: "slack") }
    }
}

import Foundation
import Logging

/// Where finished hook runs are reported (the store's `hook_runs`).
public protocol HookRunSink: Sendable {
    func hookRunFinished(_ record: HookRunRecord) async
}

/// Owns the per-hook queues and the process pool. Every hook receives every event, in the
/// order sent. A hook runs one invocation at a time; events that arrive while it runs wait,
/// and its next invocation carries all of them (up to `maxBatch`) as one JSON array — so a
/// flood of 1,000 alerts becomes a handful of processes, and no event is dropped.
/// At most `poolSize` processes run at once; the hook whose oldest pending event is oldest
/// gets the next free slot.
public actor HookDispatcher {
    public let hooks: [HookConfig]
    public let options: HookRunnerOptions
    private let sink: (any HookRunSink)?
    private let logger: Logger

    private var queues: [String: [(seq: Int, event: AlertEvent, id: Int64?)]] = [:]
    /// Outbox ids queued or running: a redelivery pass never queues one twice.
    private var inFlight: Set<Int64> = []
    private var running: Set<String> = []
    private var seq = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    public init(hooks: [HookConfig], options: HookRunnerOptions = HookRunnerOptions(),
                sink: (any HookRunSink)? = nil,
                logger: Logger = Logger(label: "wwmon.hooks")) {
        self.hooks = hooks; self.options = options; self.sink = sink; self.logger = logger
    }

    public enum DispatchError: Error, CustomStringConvertible {
        case noSuchHook(String, known: [String])
        public var description: String {
            switch self {
            case .noSuchHook(let n, let known):
                "no hook named '\(n)' is configured (configured: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
            }
        }
    }

    /// Queues events for every configured hook that accepts them; returns at once (hooks
    /// never block analysis).
    public func send(_ events: [AlertEvent]) {
        for h in hooks { enqueue(events.filter(h.accepts), for: h.name) }
        pump()
    }

    /// Queues outbox entries (each already addressed to its hook); entries for a hook no longer
    /// configured stay in the outbox.
    public func deliver(_ deliveries: [HookDelivery]) {
        for d in deliveries where hooks.contains(where: { $0.name == d.hook }) && !inFlight.contains(d.id) {
            inFlight.insert(d.id)
            seq += 1
            queues[d.hook, default: []].append((seq, d.event, d.id))
        }
        pump()
    }

    /// Queues events for one hook only, unfiltered (`wwmon hook test NAME`).
    public func send(_ events: [AlertEvent], toHook name: String) throws {
        guard hooks.contains(where: { $0.name == name }) else {
            throw DispatchError.noSuchHook(name, known: hooks.map(\.name))
        }
        enqueue(events, for: name)
        pump()
    }

    /// Events waiting, over all hooks (not counting running invocations).
    public var pending: Int { queues.values.reduce(0) { $0 + $1.count } }

    /// Returns once every queued event has been delivered and every run recorded.
    public func idle() async {
        if isIdle { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private var isIdle: Bool { running.isEmpty && pending == 0 }

    private func enqueue(_ events: [AlertEvent], for hook: String) {
        for e in events {
            seq += 1
            queues[hook, default: []].append((seq, e, nil))
        }
    }

    private func pump() {
        while running.count < options.poolSize {
            let ready = hooks.filter { !running.contains($0.name) && !(queues[$0.name]?.isEmpty ?? true) }
            guard let next = ready.min(by: { queues[$0.name]![0].seq < queues[$1.name]![0].seq }) else { break }
            let q = queues[next.name]!
            let n = min(options.maxBatch, q.count)
            let batch = q.prefix(n).map(\.event)
            let ids = q.prefix(n).map(\.id)
            queues[next.name] = Array(q.dropFirst(n))
            running.insert(next.name)
            let payload = HookPayload(hook: next.name, events: batch, eventIDs: ids)
            let (options, sink) = (self.options, self.sink)
            Task {
                let rec = await HookProcess.run(hook: next, payload: payload, options: options)
                await sink?.hookRunFinished(rec)
                self.finished(rec)
            }
        }
    }

    private func finished(_ rec: HookRunRecord) {
        running.remove(rec.hook)
        inFlight.subtract(rec.eventIDs)
        var meta: Logger.Metadata = ["hook": "\(rec.hook)", "events": "\(rec.alerts.count)",
                                     "exit_status": "\(rec.exitStatus)",
                                     "duration_s": "\(rec.durationSeconds)"]
        switch rec.outcome {
        case .exited(0):
            logger.info("hook ran", metadata: meta)
        case .timedOut:
            logger.warning("hook timed out; its process group was killed", metadata: meta)
        case .spawnFailed(let why):
            meta["reason"] = "\(why)"
            logger.warning("hook could not be started", metadata: meta)
        default:
            meta["stderr_tail"] = "\(rec.stderrTail)"
            logger.warning("hook failed", metadata: meta)
        }
        if rec.stdoutDiscarded > 0 || rec.stderrDiscarded > 0 {
            logger.warning("hook output over the capture cap; the rest was discarded",
                           metadata: ["hook": "\(rec.hook)", "stdout.discarded_bytes": "\(rec.stdoutDiscarded)",
                                      "stderr.discarded_bytes": "\(rec.stderrDiscarded)"])
        }
        pump()
        if isIdle {
            let w = idleWaiters; idleWaiters = []
            for c in w { c.resume() }
        }
    }
}

/// Keeps finished runs in memory (`wwmon hook test`, tests).
public actor HookRunLog: HookRunSink {
    public private(set) var records: [HookRunRecord] = []
    public init() {}
    public func hookRunFinished(_ record: HookRunRecord) { records.append(record) }
}

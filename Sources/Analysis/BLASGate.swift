/// OpenBLAS's thread count is one setting for the whole process, and a layer's round-off depends
/// on it. Analyses in one process (tests, a daemon analysing two checkpoints) would otherwise
/// change it under each other's feet and make results depend on timing, so each analysis holds
/// this gate while it computes: one checkpoint's layers at a time, each with a known thread count.
actor BLASGate {
    static let shared = BLASGate()

    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }

    /// Runs `body` holding the gate.
    nonisolated func withGate<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        do {
            let r = try await body()
            await release()
            return r
        } catch {
            await release()
            throw error
        }
    }
}

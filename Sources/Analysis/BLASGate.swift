import Metrics

/// OpenBLAS's thread count is one setting for the whole process, and a layer's round-off depends
/// on it. Work that needs a given count holds this gate for it: any number of holders may share
/// one count (several checkpoints analysed at once, each layer on one thread), and a different
/// count waits until the current holders are done, so no analysis sees the setting change under it.
actor BLASGate {
    static let shared = BLASGate()

    private var threads = 0
    private var holders = 0
    private var waiters: [(threads: Int, cont: CheckedContinuation<Void, Never>)] = []

    private func acquire(_ n: Int) async {
        if holders == 0 && waiters.isEmpty { threads = n; BLASLibrary.setThreads(n); holders = 1; return }
        if threads == n && waiters.isEmpty { holders += 1; return }
        await withCheckedContinuation { waiters.append((n, $0)) }
    }

    private func release() {
        holders -= 1
        guard holders == 0, let first = waiters.first else { return }
        // Admit the first waiter's count and every waiter asking for the same, in order.
        threads = first.threads
        BLASLibrary.setThreads(threads)
        let admitted = waiters.filter { $0.threads == threads }
        waiters.removeAll { $0.threads == threads }
        holders = admitted.count
        for w in admitted { w.cont.resume() }
    }

    /// Runs `body` with OpenBLAS set to `threads` for its whole duration.
    nonisolated func with<T: Sendable>(threads: Int, _ body: () async throws -> T) async rethrows -> T {
        await acquire(threads)
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

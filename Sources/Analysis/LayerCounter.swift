import Synchronization

/// Counts finished layers for `Analyzer.Progress`; the solo loop and the task group's
/// collecting loop both advance it, so it is shared by reference behind a lock.
final class LayerCounter: Sendable {
    let total: Int
    let report: Analyzer.Progress?
    private let done = Mutex(0)

    init(total: Int, report: Analyzer.Progress?) { self.total = total; self.report = report }

    /// 0 of total, so a display can show the size of the job before the first layer ends.
    func start() { report?(0, total) }

    func advance() {
        guard let report else { return }
        let n = done.withLock { v -> Int in v += 1; return v }
        report(n, total)
    }
}

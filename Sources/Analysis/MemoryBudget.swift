/// Admission control for layers in flight: at most `slots` at once and at most `bytes` of
/// reserved working memory. A layer larger than the whole budget still runs, alone.
actor MemoryBudget {
    private let capacity: Int
    private let slots: Int
    private var used = 0
    private var running = 0
    private var waiters: [(bytes: Int, cont: CheckedContinuation<Void, Never>)] = []

    init(bytes: Int, slots: Int) { capacity = bytes; self.slots = slots }

    func acquire(_ bytes: Int) async {
        if fits(bytes) && waiters.isEmpty { used += bytes; running += 1; return }
        await withCheckedContinuation { waiters.append((bytes, $0)) }
    }

    func release(_ bytes: Int) {
        used -= bytes; running -= 1
        // FIFO: wake waiters in order while the head fits, so big layers are not starved.
        while let head = waiters.first, fits(head.bytes) {
            waiters.removeFirst(); used += head.bytes; running += 1; head.cont.resume()
        }
    }

    private func fits(_ bytes: Int) -> Bool {
        running == 0 || (running < slots && used + bytes <= capacity)
    }
}

import Dispatch

/// Runs blocking LAPACK work off Swift's cooperative thread pool (which has only as many threads
/// as cores; a multi-second dsyevd there would stall every other task in the process).
enum ComputePool {
    private static let queue = DispatchQueue(label: "wwmon.compute", qos: .utility, attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { cont in
            queue.async { cont.resume(returning: work()) }
        }
    }
}

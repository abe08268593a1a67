/// Backoff for checkpoints whose read failed in a way that can heal (permission, I/O error):
/// 5 s, 10 s, 20 s, … up to 10 minutes per path. The retry is a re-listing of the run, so any
/// change the watcher reports first (a chmod's IN_ATTRIB, new bytes) retries at once: the
/// readiness state is forgotten and the fingerprint includes the mode.
struct RetryPolicy {
    var first: Duration = .seconds(5)
    var longest: Duration = .seconds(600)
    private var attempts: [String: Int] = [:]

    /// Records one more failure of `path`; returns how long to wait before the next try.
    mutating func failed(_ path: String) -> Duration {
        let n = attempts[path, default: 0]
        attempts[path] = n + 1
        var d = first
        for _ in 0..<min(n, 16) where d < longest { d = d * 2 }
        return min(d, longest)
    }

    mutating func succeeded(_ path: String) { attempts[path] = nil }
}

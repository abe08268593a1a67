import Store

/// Decides when each candidate is ready: its fingerprint (size, mtime, inode of every file)
/// unchanged for the settle time AND its format whole. Pure state; the caller supplies the time,
/// so the rules are tested without sleeping.
public struct ReadinessTracker: Sendable {
    public enum Decision: Sendable, Equatable {
        /// Look again at this time (or earlier, if an event says something changed).
        case wait(until: ContinuousClock.Instant)
        case ready(FileStamps)
        /// Still not whole and unchanged for `incomplete_error_seconds`: record it as an error.
        case failed(FileStamps, String)
        /// Already handed on with this very fingerprint.
        case handled
        case gone
    }

    struct State {
        var fingerprint: FileStamps
        var stableSince: ContinuousClock.Instant
        var handled = false
    }

    private var states: [String: State] = [:]

    public init() {}

    public var trackedCount: Int { states.count }

    /// One look at a candidate. `check` runs the format check only once it has settled.
    /// `quietFor` is how long ago the newest file was last written (from its mtime): a checkpoint
    /// first seen long after it was written (the catch-up scan) has already settled.
    public mutating func observe(path: String, fingerprint: FileStamps?, settle: Duration,
                                 incompleteAfter: Duration, now: ContinuousClock.Instant,
                                 quietFor: Duration = .zero,
                                 check: () -> FormatState) -> Decision {
        guard let fp = fingerprint else { states[path] = nil; return .gone }
        if states[path]?.fingerprint != fp {
            states[path] = State(fingerprint: fp, stableSince: now - max(.zero, quietFor))
        }
        guard var st = states[path] else { return .gone }
        if st.handled { return .handled }
        if now - st.stableSince < settle { return .wait(until: st.stableSince + settle) }
        switch check() {
        case .whole:
            st.handled = true; states[path] = st
            return .ready(fp)
        case .gone:
            states[path] = nil
            return .gone
        case .incomplete(let why):
            if now - st.stableSince >= incompleteAfter {
                st.handled = true; states[path] = st
                return .failed(fp, why)
            }
            // Unchanged but not whole: look again after another settle period, at most at the deadline.
            let recheck = max(settle, .seconds(1))
            return .wait(until: min(now + recheck, st.stableSince + incompleteAfter))
        }
    }

    /// Forget a candidate (deleted from the listing, or changed while it was read: start over).
    public mutating func forget(_ path: String) { states[path] = nil }

    /// Paths tracked under a folder, for dropping those that vanished from its listing.
    public func tracked(under dir: String) -> [String] {
        states.keys.filter { $0 == dir || $0.hasPrefix(dir + "/") }
    }
}

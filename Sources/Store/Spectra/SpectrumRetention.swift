/// Which checkpoints keep their layers' eigenvalues (`[store] esd`, `esd_keep_last`,
/// `esd_every` in config/wwmon.toml): every checkpoint among a run's newest `keepLast`, and
/// before those every `every`-th (counting a run's checkpoints from its first, by step), so
/// a long run's ESD stays browsable at a bounded cost.
public struct SpectrumRetention: Sendable, Equatable {
    public var keepLast: Int
    public var every: Int

    public init(keepLast: Int = 20, every: Int = 10) {
        precondition(keepLast >= 1 && every >= 1)
        self.keepLast = keepLast; self.every = every
    }

    /// Whether the checkpoint at `ordinal` (0 = a run's first, by step) of `count` keeps its spectra.
    public func keeps(ordinal: Int, of count: Int) -> Bool {
        ordinal >= count - keepLast || ordinal % every == 0
    }
}

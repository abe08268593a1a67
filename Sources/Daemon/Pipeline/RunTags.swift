import Logging
import Store

/// `[[watch]] tags` by configured root: applied to a run each time one of its checkpoints is
/// recorded, so runs that appear later in a folder of runs get them too. A tag the user set
/// with `wwmon tag` is never replaced (the store's rule for `.config` tags).
struct RunTags: Sendable {
    var byRoot: [String: [String: String]]

    init(_ config: DaemonConfig) {
        byRoot = Dictionary(config.watches.filter { !$0.tags.isEmpty }.map { ($0.path, $0.tags) },
                            uniquingKeysWith: { a, b in a.merging(b) { x, _ in x } })
    }

    func apply(store: HistoryStore, run: String, root: String, logger: Logger) {
        guard let tags = byRoot[root] else { return }
        do { try store.setTags(run: run, tags, source: .config) } catch {
            // Tags only label runs: a failure must not fail the checkpoint just recorded.
            logger.warning("run tags not set", metadata: ["run.name": "\(run)", "run.tags.error": "\(error)"])
        }
    }
}

import Foundation
import Logging
import Store
import Synchronization

/// Analyses in progress in this process: kept in memory for the daemon's `STATUS=` line and
/// written to the store's `analysis_progress` table (HistoryStore+Progress.swift) at most
/// once a second per checkpoint, so `wwmon runs` in another process sees them. Progress is
/// advisory: a failed write is logged at debug level and never fails the analysis.
final class ProgressBoard: Sendable {
    struct Entry: Sendable {
        var progress: AnalysisProgress
        var lastWrite: ContinuousClock.Instant?
    }
    private let entries = Mutex<[String: Entry]>([:])
    let store: HistoryStore?
    let logger: Logger
    let writeInterval: Duration

    init(store: HistoryStore?, logger: Logger, writeInterval: Duration = .seconds(1)) {
        self.store = store; self.logger = logger; self.writeInterval = writeInterval
    }

    /// Analyzer.Progress for one checkpoint.
    func update(run: String, path: String, done: Int, total: Int) {
        let now = ContinuousClock.now
        let due: AnalysisProgress? = entries.withLock { e in
            var entry = e[path] ?? Entry(progress: AnalysisProgress(run: run, path: path, layersDone: 0, layersTotal: total,
                                                                    startedAt: Date(), updatedAt: Date()))
            entry.progress.layersDone = done; entry.progress.layersTotal = total; entry.progress.updatedAt = Date()
            defer { e[path] = entry }
            if let last = entry.lastWrite, now - last < writeInterval { return nil }
            entry.lastWrite = now
            return entry.progress
        }
        guard let due, let store else { return }
        do { try store.setProgress(due) } catch {
            logger.debug("progress not written", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    /// The analysis of `path` ended (recorded, failed, timed out or cancelled).
    func finish(path: String) {
        let wrote = entries.withLock { $0.removeValue(forKey: path)?.lastWrite != nil }
        guard wrote, let store else { return }
        do { try store.clearProgress(path: path) } catch {
            logger.debug("progress not cleared", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    /// `analysing RUN/NAME 12/224 layers` for each analysis in progress, oldest first.
    func statusText() -> String? {
        let all = entries.withLock { Array($0.values) }.map(\.progress).sorted { $0.startedAt < $1.startedAt }
        guard !all.isEmpty else { return nil }
        return all.map { p in
            "analysing \(p.run)/\((p.path as NSString).lastPathComponent) \(p.layersDone)/\(p.layersTotal) layers"
        }.joined(separator: ", ")
    }
}

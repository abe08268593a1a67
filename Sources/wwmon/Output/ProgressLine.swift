import Foundation
import Glibc
import Synchronization

/// `wwmon analyze`'s progress on a terminal: one stderr line, rewritten in place with `\r`,
/// cleared at the end so the table below starts clean. When stderr is not a terminal (a pipe,
/// a file, cron) nothing is written at all: the line is for people, logs must not fill with it.
final class ProgressLine: Sendable {
    private struct State { var lastDraw: ContinuousClock.Instant?; var drawn = false }
    private let start = ContinuousClock.now
    private let state = Mutex(State())
    let enabled: Bool

    init(enabled: Bool = isatty(STDERR_FILENO) == 1) { self.enabled = enabled }

    /// Analyzer.Progress: redraws at most 10 times a second, and always for the last layer.
    func update(done: Int, total: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let text: String? = state.withLock { s in
            if let last = s.lastDraw, now - last < .milliseconds(100), done < total { return nil }
            s.lastDraw = now; s.drawn = true
            return Self.text(done: done, total: total, elapsed: Self.seconds(now - start))
        }
        if let text { write("\r" + text + "\u{1B}[K") }
    }

    /// Erases the line (the report goes to stdout, which may be the same terminal).
    func clear() {
        guard enabled, state.withLock({ $0.drawn }) else { return }
        write("\r\u{1B}[K")
    }

    /// `layers 12/224 · 0:41 elapsed · ~11:32 left` (no estimate before the first layer ends).
    static func text(done: Int, total: Int, elapsed: Double) -> String {
        var t = "layers \(done)/\(total) · \(clock(elapsed)) elapsed"
        if done > 0, done < total { t += " · ~\(clock(elapsed / Double(done) * Double(total - done))) left" }
        return t
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60)
        let two = { (v: Int) in v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(sec))" : "\(m):\(two(sec))"
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}

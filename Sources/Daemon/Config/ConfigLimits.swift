import Alerts
import Foundation

/// Sane ranges for settings: a value outside them is a typo or an attack, never an intent, and
/// rejecting it at `--check-config` / SIGHUP is better than a trap later (a 1e30-second
/// duration overflowed `Duration` at start, on SIGTERM and at the first alert).
enum ConfigLimits {
    /// Any duration setting (30 days).
    static let maxSeconds = Duration.longestSetting
    /// Worker and thread counts.
    static let maxWorkers = 1024
    /// Directory levels below a run folder.
    static let maxDepth = 64
    /// Rule windows (checkpoints).
    static let maxWindow = 100_000
}

extension KeyedDecodingContainer {
    /// A duration in seconds, greater than `floor` (or at least `minimum`) and at most 30 days; a
    /// number, or with `units` also a string like "90s"/"30m"/"4h"/"1d".
    func seconds(_ key: Key, atLeast minimum: Double? = nil, above floor: Double? = nil,
                 units: Bool = false) throws -> Double? {
        let v: Double?
        if units, let s = try? decode(String.self, forKey: key) {
            guard let d = parseDuration(s) else {
                throw ConfigError(key: path(key), problem: "must be seconds or a duration like \"90s\", \"30m\", \"4h\", \"1d\" (found \"\(s)\")")
            }
            v = d
        } else {
            v = try number(key, atLeast: minimum, above: floor)
        }
        if let v, v > ConfigLimits.maxSeconds {
            throw ConfigError(key: path(key), problem: "must be at most 30 days (\(Int(ConfigLimits.maxSeconds)) s); found \(v)")
        }
        return v
    }

    /// An integer in `minimum...maximum`.
    func int(_ key: Key, in range: ClosedRange<Int>) throws -> Int? {
        guard let v = try int(key, atLeast: range.lowerBound) else { return nil }
        guard v <= range.upperBound else {
            throw ConfigError(key: path(key), problem: "must be at most \(range.upperBound) (found \(v))")
        }
        return v
    }
}

extension DaemonConfig {
    /// Watch paths must differ and must not nest: `/x` and `/x/` are one folder, and a folder
    /// inside another root would be seen (and recorded) twice under two run names — except a
    /// run folder of a `runs_in_subdirectories` root, which may have a [[watch]] of its own.
    /// Runs as part of `validate()`, so `--check-config`, start and SIGHUP agree.
    func validateWatchPaths() throws {
        let normalised = watches.map { Self.normalise($0.path) }
        for i in normalised.indices {
            for j in normalised.indices where j > i {
                let (a, b) = (normalised[i], normalised[j])
                if a == b {
                    throw ConfigError(key: "watch[\(j)].path",
                                      problem: "\"\(watches[j].path)\" is the same folder as watch[\(i)].path \"\(watches[i].path)\"")
                }
                // The one nesting with a meaning: a run folder of a `runs_in_subdirectories` root
                // given its own [[watch]] (own settings; config/wwmon.toml shows it). DaemonCore
                // gives such a folder to the inner root only. Any other nesting would be scanned
                // from both roots.
                let (outer, inner, outerIndex) = a.count < b.count ? (a, b, i) : (b, a, j)
                if inner.hasPrefix(outer == "/" ? "/" : outer + "/"),
                   !(watches[outerIndex].runsInSubdirectories && Self.parent(inner) == outer) {
                    throw ConfigError(key: "watch[\(j)].path",
                                      problem: "\"\(watches[j].path)\" and watch[\(i)].path \"\(watches[i].path)\" nest; a folder may be watched by one [[watch]] only")
                }
            }
        }
        for (i, w) in watches.enumerated() {
            var st = stat()
            if stat(w.path, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR {
                throw ConfigError(key: "watch[\(i)].path", problem: "\"\(w.path)\" is a file, not a directory")
            }
        }
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// Collapses `//`, `/./` and trailing slashes (no symlink resolution: the folder may not exist yet).
    static func normalise(_ path: String) -> String {
        var parts: [Substring] = []
        for p in path.split(separator: "/") where p != "." {
            if p == ".." { _ = parts.popLast() } else { parts.append(p) }
        }
        return "/" + parts.joined(separator: "/")
    }
}

import Foundation

/// Where the history database lives: `--db PATH` > `WWMON_DB` > `$XDG_STATE_HOME/wwmon/wwmon.db`
/// > `~/.local/state/wwmon/wwmon.db`. The service passes `/var/lib/wwmon/wwmon.db` explicitly.
public enum DatabaseLocation {
    public static func resolve(explicit: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let env = environment["WWMON_DB"], !env.isEmpty { return env }
        // XDG: a relative XDG_STATE_HOME is invalid and must be ignored.
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/wwmon/wwmon.db"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/wwmon/wwmon.db"
    }
}

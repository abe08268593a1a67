import Alerts
import Foundation
import TOMLKit

/// The `[[hook]]` tables of `wwmon.toml`, read directly for `wwmon hook test`.
/// Interim: the daemon's own config types (issue 5) will replace this reader; it checks only
/// the keys a hook needs and names the file, the hook and the key in every error.
enum HookConfigFile {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func load(path: String) throws -> [HookConfig] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Problem(description: "cannot read config \(path): \((error as NSError).localizedDescription)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw Problem(description: "\(path): line \(e.source.begin.line), column \(e.source.begin.column): \(e.description)")
        }
        guard let raw = table["hook"] else { return [] }
        guard let list = raw.array else { throw Problem(description: "\(path): 'hook' must be an array of tables ([[hook]])") }
        var hooks: [HookConfig] = []
        for (i, item) in list.enumerated() {
            let at = "\(path): [[hook]] #\(i + 1)"
            guard let t = item.table else { throw Problem(description: "\(at) is not a table") }
            guard let name = t["name"]?.string, !name.isEmpty else {
                throw Problem(description: "\(at): 'name' must be a non-empty string")
            }
            let argv = t["command"]?.array.map { $0.map(\.string) } ?? nil
            guard let argv, !argv.isEmpty, argv.allSatisfy({ $0 != nil }), !(argv[0]!.isEmpty) else {
                throw Problem(description: "\(at) (\(name)): 'command' must be a non-empty array of strings (argv, never a shell string)")
            }
            var timeout = 30.0
            if let v = t["timeout_seconds"] {
                guard let s = v.double ?? v.int.map(Double.init), s > 0 else {
                    throw Problem(description: "\(at) (\(name)): 'timeout_seconds' must be a positive number")
                }
                timeout = s
            }
            var events: Set<String>?
            if let v = t["events"] {
                guard let a = v.array, case let names = a.compactMap(\.string), names.count == a.count else {
                    throw Problem(description: "\(at) (\(name)): 'events' must be an array of strings")
                }
                events = Set(names)
            }
            var sendResolved = true
            if let v = t["send_resolved"] {
                guard let b = v.bool else { throw Problem(description: "\(at) (\(name)): 'send_resolved' must be true or false") }
                sendResolved = b
            }
            hooks.append(HookConfig(name: name, command: argv.map { $0! }, timeoutSeconds: timeout,
                                    events: events, sendResolved: sendResolved))
        }
        return hooks
    }
}

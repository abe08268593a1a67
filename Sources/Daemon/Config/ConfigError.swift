/// A configuration problem, named by file, key path (`watch[1].mode`) and what is wrong with it.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    /// Dotted key path, arrays of tables indexed from 0: `watch[0].settle_seconds`.
    public var key: String
    public var problem: String

    public init(file: String? = nil, key: String, problem: String) {
        self.file = file; self.key = key; self.problem = problem
    }

    public var description: String {
        let place = file.map { "\($0): " } ?? ""
        return key.isEmpty ? "\(place)\(problem)" : "\(place)\(key): \(problem)"
    }
}

/// Renders a Codable path the way the TOML file spells it.
func tomlKeyPath(_ path: [any CodingKey]) -> String {
    var out = ""
    for key in path {
        if let i = key.intValue {
            out += "[\(i)]"
        } else {
            out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    return out
}

/// Any key name (for tables whose keys are data, like `[alerts.runs.NAME]`).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}

/// Lenient, well-reported reading of optional keys: a key of the wrong type becomes a
/// `ConfigError` naming the key and the expected type, instead of TOMLKit's "not found".
extension KeyedDecodingContainer {
    func path(_ key: Key) -> String { tomlKeyPath(codingPath + [key]) }

    func string(_ key: Key) throws -> String? {
        guard contains(key) else { return nil }
        do { return try decode(String.self, forKey: key) } catch {
            throw ConfigError(key: path(key), problem: "must be a string")
        }
    }

    func bool(_ key: Key) throws -> Bool? {
        guard contains(key) else { return nil }
        do { return try decode(Bool.self, forKey: key) } catch {
            throw ConfigError(key: path(key), problem: "must be true or false")
        }
    }

    func int(_ key: Key, atLeast minimum: Int) throws -> Int? {
        guard contains(key) else { return nil }
        let v: Int
        do { v = try decode(Int.self, forKey: key) } catch {
            throw ConfigError(key: path(key), problem: "must be an integer")
        }
        guard v >= minimum else { throw ConfigError(key: path(key), problem: "must be at least \(minimum) (found \(v))") }
        return v
    }

    /// A number; TOML integers are accepted where a float is meant (`settle_seconds = 5`).
    func number(_ key: Key, atLeast minimum: Double? = nil, above floor: Double? = nil) throws -> Double? {
        guard contains(key) else { return nil }
        let v: Double
        if let d = try? decode(Double.self, forKey: key) {
            v = d
        } else if let i = try? decode(Int.self, forKey: key) {
            v = Double(i)
        } else {
            throw ConfigError(key: path(key), problem: "must be a number")
        }
        guard v.isFinite else { throw ConfigError(key: path(key), problem: "must be finite") }
        if let m = minimum, v < m { throw ConfigError(key: path(key), problem: "must be at least \(m) (found \(v))") }
        if let f = floor, v <= f { throw ConfigError(key: path(key), problem: "must be greater than \(f) (found \(v))") }
        return v
    }

    func strings(_ key: Key) throws -> [String]? {
        guard contains(key) else { return nil }
        do { return try decode([String].self, forKey: key) } catch {
            throw ConfigError(key: path(key), problem: "must be an array of strings")
        }
    }
}

/// `"90s"`, `"30m"`, `"4h"`, `"1d"`, or a bare number of seconds.
func parseDuration(_ text: String) -> Double? {
    let s = text.trimmingCharacters(in: .whitespaces)
    guard let unit = s.last else { return nil }
    let scale: Double
    var digits = Substring(s)
    switch unit {
    case "s": scale = 1; digits = digits.dropLast()
    case "m": scale = 60; digits = digits.dropLast()
    case "h": scale = 3600; digits = digits.dropLast()
    case "d": scale = 86400; digits = digits.dropLast()
    default: scale = 1
    }
    guard let v = Double(digits), v.isFinite, v > 0 else { return nil }
    return v * scale
}

import Foundation

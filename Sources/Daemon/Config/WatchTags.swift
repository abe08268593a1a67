import Foundation

/// `[[watch]] tags = { lr = "3e-4", depth = 16 }`: labels for every run found under the root,
/// grouped and filtered on by `wwmon rank`. Values may be strings, numbers or booleans and are
/// stored as text (quote a value to keep its exact spelling, e.g. "3e-4").
extension KeyedDecodingContainer {
    func tags(_ key: Key) throws -> [String: String] {
        guard contains(key) else { return [:] }
        let table: KeyedDecodingContainer<AnyKey>
        do { table = try nestedContainer(keyedBy: AnyKey.self, forKey: key) } catch {
            throw ConfigError(key: path(key), problem: "must be a table of tags, e.g. { lr = \"3e-4\", depth = 16 }")
        }
        var out: [String: String] = [:]
        for k in table.allKeys {
            let name = k.stringValue
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)
            }) else {
                throw ConfigError(key: table.path(k), problem: "tag names are letters, digits, '_', '.' or '-'")
            }
            if let s = try? table.decode(String.self, forKey: k) {
                out[name] = s
            } else if let i = try? table.decode(Int.self, forKey: k) {
                out[name] = String(i)
            } else if let d = try? table.decode(Double.self, forKey: k), d.isFinite {
                out[name] = "\(d)"
            } else if let b = try? table.decode(Bool.self, forKey: k) {
                out[name] = b ? "true" : "false"
            } else {
                throw ConfigError(key: table.path(k), problem: "must be a string, number or boolean")
            }
        }
        return out
    }
}

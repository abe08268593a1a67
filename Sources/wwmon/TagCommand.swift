import ArgumentParser
import Foundation
import Store

/// `wwmon tag RUN key=value…`: labels for grouping and filtering runs in `wwmon rank`.
struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Tag a run (lr=3e-4 depth=16); `key=` removes a tag; no pairs lists the run's tags.",
        discussion: "Tags set here win over `[[watch]] tags` from the daemon's configuration.")

    @Argument(help: ArgumentHelp("Run name (see `wwmon runs`).", valueName: "run")) var runName: String
    @Argument(help: ArgumentHelp("Tags to set, as key=value.", valueName: "key=value")) var pairs: [String] = []
    @OptionGroup var database: DatabaseOptions

    /// Keys are identifiers so `--tag k=v` and `--group-by k` read unambiguously.
    static func parse(_ pairs: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for p in pairs {
            guard let eq = p.firstIndex(of: "=") else {
                throw ValidationError("Tag \"\(p)\" is not key=value.")
            }
            let key = String(p[..<eq]), value = String(p[p.index(after: eq)...])
            guard !key.isEmpty, key.unicodeScalars.allSatisfy({
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)
            }) else {
                throw ValidationError("Tag key \"\(key)\" must be letters, digits, '_', '.' or '-'.")
            }
            out[key] = value
        }
        return out
    }

    func validate() throws { _ = try Self.parse(pairs) }

    func run() throws {
        let tags = try Self.parse(pairs)
        if tags.isEmpty {
            let store = try database.reader()
            _ = try store.checkpoints(run: runName)  // unknown run -> the store's sentence
            for (k, v) in (try store.tags()[runName] ?? [:]).sorted(by: { $0.key < $1.key }) { emit("\(k)=\(v)\n") }
            return
        }
        // A writer would create a database that is not there: say it is missing instead.
        guard FileManager.default.fileExists(atPath: database.path) else { throw StoreError.missingDatabase(path: database.path) }
        try database.writer().setTags(run: runName, tags, source: .user)
    }
}

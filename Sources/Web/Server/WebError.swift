import Store

/// What a request can fail with, as the status it answers. Store errors that name something
/// missing (run, layer, step) are 404s; anything else unexpected is a 500 with its sentence.
public enum WebError: Error, Sendable, CustomStringConvertible {
    case notFound(String)
    case badRequest(String)

    public var description: String {
        switch self { case .notFound(let s), .badRequest(let s): s }
    }

    /// 404 for lookups of things that are not there; nil for real failures.
    static func classify(_ error: any Error) -> WebError? {
        if let e = error as? WebError { return e }
        guard let s = error as? StoreError else { return nil }
        switch s {
        case .unknownRun, .unknownLayer, .unknownStep, .noCheckpoints, .checkpointFailed:
            return .notFound(s.description)
        default: return nil
        }
    }
}

/// Query parameters as the pages and the API read them (the CLI's option names).
struct Query {
    var values: [String: [String]]

    func string(_ k: String) -> String? { values[k]?.last.flatMap { $0.isEmpty ? nil : $0 } }
    func all(_ k: String) -> [String] { (values[k] ?? []).filter { !$0.isEmpty } }

    func int(_ k: String) throws -> Int? {
        guard let s = string(k) else { return nil }
        guard let v = Int(s) else { throw WebError.badRequest("\(k) must be an integer (got \"\(s)\")") }
        return v
    }

    func bool(_ k: String) -> Bool { string(k).map { ["1", "true", "yes", "on"].contains($0.lowercased()) } ?? false }

    func required(_ k: String) throws -> String {
        guard let s = string(k) else { throw WebError.badRequest("the query parameter \(k) is required") }
        return s
    }
}

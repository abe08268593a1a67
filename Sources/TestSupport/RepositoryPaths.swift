import Foundation

/// Where the repository's committed test inputs are, found from this source file's location, so
/// tests read only what is inside the repository (nothing beside it).
public enum RepositoryPaths {
    /// The directory holding Package.swift, found by walking up from this file.
    public static let root: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        preconditionFailure("Package.swift not found above \(#filePath)")
    }()

    /// Tests/Fixtures: committed inputs, each set with the script that makes it.
    public static let fixtures = root.appendingPathComponent("Tests/Fixtures")
}

/// A committed fixture that is not on disk: a test that needs it fails with this (naming the file
/// and how to make it) instead of crashing or passing over nothing.
public struct MissingFixture: Error, CustomStringConvertible {
    public var path: String
    public var remedy: String
    public var description: String { "fixture missing: \(path) (\(remedy))" }
    public init(path: String, remedy: String) { self.path = path; self.remedy = remedy }
}

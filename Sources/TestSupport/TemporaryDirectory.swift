import Foundation

/// Fresh folders and real files for tests (real files have a real identity: size, mtime, inode).
public enum TemporaryDirectory {
    /// A new folder `<label>-<uuid>` under the system temp dir; the caller removes it (`defer`).
    public static func make(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes `bytes` bytes of `fill` to `dir/name` and returns its path.
    @discardableResult
    public static func file(_ dir: URL, _ name: String, bytes: Int, fill: UInt8) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(repeating: fill, count: bytes).write(to: url)
        return url.path
    }
}

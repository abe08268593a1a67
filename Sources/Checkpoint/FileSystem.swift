import Foundation

/// Small path and directory helpers shared by the readers.
enum FileSystem {
    enum Kind: Equatable { case file, directory, other(String) }

    /// What `path` is now; throws `.notFound` when it does not exist.
    static func kind(_ path: String) throws -> Kind {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw CheckpointError.notFound(path: path) }
            throw CheckpointError.io(path: path, operation: "stat", errno: e)
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other(ReadOnlyFile.describe(st.st_mode & S_IFMT))
        }
    }

    static func isRegularFile(_ path: String) -> Bool { (try? kind(path)) == .file }

    /// `path` made absolute against the working directory, without a trailing slash.
    static func absolute(_ path: String) -> String {
        var p = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }

    static func join(_ dir: String, _ name: String) -> String { dir == "/" ? "/" + name : dir + "/" + name }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Names in `dir`, hidden ones (in-flight `.tmpXXXXXX` files among them) left out, sorted by
    /// Unicode code point like Python's `sorted(glob(...))`.
    static func listing(_ dir: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir)
        } catch {
            if (try? kind(dir)) == nil { throw CheckpointError.notFound(path: dir) }
            throw CheckpointError.io(path: dir, operation: "list directory", errno: EIO)
        }
        return names.filter { !$0.hasPrefix(".") }.sorted(by: codePointOrder)
    }

    /// Python's string order: by Unicode code point, which is the order of the UTF-8 bytes.
    static func codePointOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Reads a small whole file (index JSON, trainer_state.json) with a size cap.
    static func readSmallFile(_ path: String, limit: UInt64) throws -> [UInt8] {
        let file = try ReadOnlyFile(path)
        let size = try file.size()
        guard size <= limit else {
            throw CheckpointError.invalidHeader(path: path, detail: "file is \(size) bytes, more than the \(limit)-byte limit")
        }
        return try file.read(count: Int(size), at: 0)
    }
}

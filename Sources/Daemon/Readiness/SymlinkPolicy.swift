import Foundation
import Glibc

/// What a file symlink inside a watched run may bring in (issue 10, point 4). Directory
/// symlinks never get this far (`CheckpointLayout.list` does not follow them). A single-file
/// candidate that is a symlink is kept only when its target lies inside the watched root
/// (unless `[[watch]] symlinks_outside_root = true`), and only when no other candidate of the
/// same scan is that target or links to it: a target is analysed at most once (the store
/// records the other names as aliases, issue 9).
struct SymlinkPolicy {
    var root: String
    var allowOutsideRoot: Bool

    func filter(_ candidates: [CheckpointCandidate]) -> [CheckpointCandidate] {
        let resolvedRoot = Self.realPath(root) ?? root
        // Real files first: a link to one of them adds nothing.
        var claimed = Set<String>()
        for c in candidates where c.kind == .file && !Self.isSymlink(c.path) {
            claimed.insert(Self.realPath(c.path) ?? c.path)
        }
        var out: [CheckpointCandidate] = []
        for c in candidates {
            guard c.kind == .file, Self.isSymlink(c.path) else { out.append(c); continue }
            guard let target = Self.realPath(c.path) else { continue }
            if !allowOutsideRoot, !(target == resolvedRoot || target.hasPrefix(resolvedRoot == "/" ? "/" : resolvedRoot + "/")) {
                continue
            }
            guard claimed.insert(target).inserted else { continue }
            out.append(c)
        }
        return out
    }

    static func isSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}

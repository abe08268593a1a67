import Foundation
import Glibc

/// What a file symlink inside a watched run may bring in (issue 10, point 4). Directory
/// symlinks never get this far (`CheckpointLayout.list` does not follow them). A single-file
/// candidate that is a symlink is kept only when its target lies inside the watched root
/// (unless `[[watch]] symlinks_outside_root = true`). A link to a file that is itself a candidate
/// (Lightning's `last.ckpt` with `save_last="link"`) stays a candidate: its tensors hash equal to
/// the target's, so the store records it as an alias of that point (issue 9) without analysing
/// anything again (Analyzer's reuse by content hash). Links whose target is gone or loops are dropped.
struct SymlinkPolicy {
    var root: String
    var allowOutsideRoot: Bool

    func filter(_ candidates: [CheckpointCandidate]) -> [CheckpointCandidate] {
        let resolvedRoot = Self.realPath(root) ?? root
        var out: [CheckpointCandidate] = []
        for c in candidates {
            guard c.kind == .file, Self.isSymlink(c.path) else { out.append(c); continue }
            guard let target = Self.realPath(c.path) else { continue }
            if !allowOutsideRoot, !(target == resolvedRoot || target.hasPrefix(resolvedRoot == "/" ? "/" : resolvedRoot + "/")) {
                continue
            }
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

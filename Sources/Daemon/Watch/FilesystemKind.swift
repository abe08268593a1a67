import Foundation

/// Filesystems whose writes from other machines produce no inotify events here
/// (daemon-conventions.md §1.1): those roots are polled in `mode = "auto"`.
///
/// Read from /proc/self/mountinfo (as watchman does) rather than statfs(2): Glibc's Swift module
/// does not export <sys/vfs.h>, and mountinfo names the type (`nfs4`, `fuse.sshfs`) directly.
public enum FilesystemKind {
    static let networkTypes: Set<String> = [
        "nfs", "nfs4", "lustre", "gpfs", "cifs", "smb3", "smbfs", "ceph", "9p", "afs", "beegfs",
        "glusterfs", "ocfs2", "gfs2", "orangefs", "pvfs2",
    ]

    public static func isNetwork(_ fsType: String) -> Bool {
        networkTypes.contains(fsType) || fsType == "fuse" || fsType.hasPrefix("fuse.") || fsType == "fuseblk"
    }

    /// The filesystem type of the mount holding `path` (nearest existing ancestor for a missing path).
    public static func type(at path: String, mountinfo: String? = nil) -> String? {
        guard let text = mountinfo ?? (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) else {
            return nil
        }
        // Resolve symlinks in the part that exists; keep the missing rest as written.
        var existing = path
        while !FileManager.default.fileExists(atPath: existing), existing != "/" { existing = parentPath(existing) }
        let rest = path.dropFirst(existing.count)
        let real = (existing as NSString).resolvingSymlinksInPath + rest
        var best: (mount: String, type: String)?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count >= 7, let dash = parts.firstIndex(of: "-"), dash + 1 < parts.count else { continue }
            let mount = unescape(String(parts[4]))
            let inside = mount == "/" || real == mount || real.hasPrefix(mount + "/")
            // Later lines win for the same mount point (mounts stacked over each other).
            if inside, mount.count >= (best?.mount.count ?? -1) {
                best = (mount, String(parts[dash + 1]))
            }
        }
        return best?.type
    }

    /// The network filesystem type holding `path`, nil when it is local.
    public static func networkFilesystem(at path: String) -> String? {
        type(at: path).flatMap { isNetwork($0) ? $0 : nil }
    }

    /// mountinfo escapes space, tab, newline and backslash as octal (`\040`).
    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out = ""
        var it = Array(s.utf8)[...]
        var bytes: [UInt8] = []
        while let c = it.first {
            if c == UInt8(ascii: "\\"), it.count >= 4, let v = UInt8(String(decoding: it.dropFirst().prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(v); it = it.dropFirst(4)
            } else { bytes.append(c); it = it.dropFirst() }
        }
        out = String(decoding: bytes, as: UTF8.self)
        return out
    }
}

func parentPath(_ path: String) -> String {
    guard let i = path.lastIndex(of: "/") else { return "/" }
    return i == path.startIndex ? "/" : String(path[..<i])
}

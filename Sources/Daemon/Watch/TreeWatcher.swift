import Glibc

/// What the watcher tells the daemon. Events are hints: each one only says where to list again.
public enum WatchSignal: Sendable, Equatable {
    /// Something was created, written, renamed or deleted at this path.
    case changed(String)
    /// Events were lost (queue overflow, unknown watch): list every root again.
    case rescanAll(String)
    /// A root that was awaited now exists and is watched.
    case rootAppeared(String)
    /// A watched root was deleted or moved away; it is awaited again.
    case rootGone(String)
    /// inotify_add_watch hit the per-user limit under this root.
    case watchLimit(root: String, path: String)
}

/// Recursive inotify over the configured roots. The actor owns the watch table (wd -> path);
/// new or renamed-in folders are watched first and listed second, so nothing created in between
/// is missed. Roots that do not exist yet are awaited through their nearest existing ancestor.
public actor TreeWatcher {
    static let treeMask = UInt32(bitPattern: IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM
        | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB | IN_ONLYDIR)
    static let ancestorMask = UInt32(bitPattern: IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    private let source: InotifySource
    public nonisolated let signals: AsyncStream<WatchSignal>
    private let out: AsyncStream<WatchSignal>.Continuation

    /// Each watched directory by descriptor, and back.
    private var pathOf: [Int32: String] = [:]
    private var wdOf: [String: Int32] = [:]
    /// Watched roots and how deep below each to watch.
    private var roots: [String: Int] = [:]
    /// Missing roots -> the ancestor currently watched for them.
    private var awaited: [String: String] = [:]
    private var pump: Task<Void, Never>?

    public init() throws(WatchError) {
        source = try InotifySource()
        (signals, out) = AsyncStream.makeStream(of: WatchSignal.self, bufferingPolicy: .unbounded)
    }

    /// Starts reading events; call once.
    public func start() {
        guard pump == nil else { return }
        let events = source.events
        pump = Task { [weak self] in
            for await e in events {
                guard let self else { return }
                await self.handle(e)
            }
        }
    }

    public func stop() {
        pump?.cancel()
        source.cancel()
        out.finish()
    }

    public var watchCount: Int { pathOf.count }

    public enum AddResult: Sendable, Equatable { case watching, awaiting, limit }

    /// Watches a root's tree (`depth` levels below it), or awaits it if it does not exist.
    public func addRoot(_ root: String, depth: Int) -> AddResult {
        roots[root] = depth
        guard isDirectory(root) else { awaitRoot(root); return .awaiting }
        return addTree(root, level: 0, depth: depth) ? .watching : .limit
    }

    /// Stops watching a root (config reload, or a switch to polling).
    public func removeRoot(_ root: String) {
        roots[root] = nil
        awaited[root] = nil
        for (path, wd) in wdOf where path == root || path.hasPrefix(root + "/") {
            guard !roots.keys.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) else { continue }
            source.remove(wd)
            wdOf[path] = nil; pathOf[wd] = nil
        }
    }

    /// Adds watches for `dir` and its subfolders; false when the watch limit was hit.
    private func addTree(_ dir: String, level: Int, depth: Int) -> Bool {
        switch source.add(dir, mask: Self.treeMask) {
        case .success(let wd):
            if let old = pathOf[wd], old != dir { wdOf[old] = nil }  // same inode renamed: re-map
            pathOf[wd] = dir; wdOf[dir] = wd
        case .failure(let e):
            if e.errno == ENOSPC || e.errno == ENOMEM {
                out.yield(.watchLimit(root: rootOf(dir) ?? dir, path: dir))
                return false
            }
            return true  // vanished or unreadable: the listing will tell
        }
        guard level < depth else { return true }
        for entry in CheckpointLayout.list(dir) where entry.isDir && !CheckpointLayout.isTemporary(entry.name) {
            if !addTree(dir + "/" + entry.name, level: level + 1, depth: depth) { return false }
        }
        return true
    }

    private func rootOf(_ path: String) -> String? {
        roots.keys.filter { path == $0 || path.hasPrefix($0 + "/") }.max { $0.count < $1.count }
    }

    private func level(of path: String, under root: String) -> Int {
        path == root ? 0 : path.dropFirst(root.count + 1).split(separator: "/").count
    }

    private func awaitRoot(_ root: String) {
        var anc = parentPath(root)
        while !isDirectory(anc), anc != "/" { anc = parentPath(anc) }
        awaited[root] = anc
        if wdOf[anc] == nil, case .success(let wd) = source.add(anc, mask: Self.ancestorMask) {
            pathOf[wd] = anc; wdOf[anc] = wd
        }
        // Watch first, then look: the root (or a nearer ancestor) may have appeared meanwhile.
        var nearest = parentPath(root)
        while !isDirectory(nearest), nearest != "/" { nearest = parentPath(nearest) }
        if isDirectory(root) || nearest != anc { checkAwaited() }
    }

    /// Re-checks awaited roots after any change near them.
    private func checkAwaited() {
        for (root, anc) in awaited {
            if isDirectory(root) {
                awaited[root] = nil
                // On a watch-limit failure `.watchLimit` was sent first and the root gets polled.
                _ = addTree(root, level: 0, depth: roots[root] ?? 0)
                out.yield(.rootAppeared(root))
            } else {
                var nearest = parentPath(root)
                while !isDirectory(nearest), nearest != "/" { nearest = parentPath(nearest) }
                if nearest != anc { awaitRoot(root) }
            }
        }
    }

    func handle(_ e: InotifyEvent) {
        if e.has(IN_Q_OVERFLOW) { out.yield(.rescanAll("inotify queue overflow")); return }
        guard let dir = pathOf[e.wd] else {
            if !e.has(IN_IGNORED) { out.yield(.rescanAll("event for an unknown watch")) }
            return
        }
        if e.has(IN_IGNORED) {
            pathOf[e.wd] = nil
            if wdOf[dir] == e.wd { wdOf[dir] = nil }
            return
        }
        if e.has(IN_DELETE_SELF) || e.has(IN_MOVE_SELF) {
            if roots[dir] != nil, !isDirectory(dir) {
                out.yield(.rootGone(dir))
                awaitRoot(dir)  // may yield .rootAppeared at once if it is already back
            }
            checkAwaited()
            return
        }
        let path = e.name.isEmpty ? dir : dir + "/" + e.name
        if !awaited.isEmpty, awaited.values.contains(dir) { checkAwaited() }
        guard let root = rootOf(path) else { return }  // an ancestor watched only for an awaited root
        if e.isDir, e.has(IN_CREATE) || e.has(IN_MOVED_TO), !CheckpointLayout.isTemporary(e.name) {
            // Watch first, then the daemon lists it (the `.changed` below): nothing slips between.
            let lvl = level(of: path, under: root)
            if lvl <= roots[root] ?? 0 { _ = addTree(path, level: lvl, depth: roots[root] ?? 0) }
        }
        out.yield(.changed(path))
    }
}

func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}

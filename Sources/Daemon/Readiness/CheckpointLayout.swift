import Checkpoint
import Foundation
import Glibc

/// Finds checkpoint candidates in a run folder by listing it (the listing is the truth; inotify
/// events only say where to look again).
///
/// - A subfolder is one checkpoint when weight files sit directly in it and its name holds a
///   number (`checkpoint-500`, `global_step500`, `500`) or it holds a shard index or
///   `trainer_state.json`; otherwise it is descended into (`lightning_logs/version_0/checkpoints`).
/// - Loose weight files are one checkpoint each; shards (`*-00001-of-00002.*`) only count as
///   part of their index. Only weights are checkpoints: files the frameworks write beside them
///   (`training_args.bin`, `optimizer.pt`, `scheduler.bin`, … — `CheckpointFileRole`) never are.
/// - Lightning's `version_N` folders (`lightning_logs/version_N`, or `version_N` directly in the
///   run folder) are runs of their own, named `<run>/version_N`: each `fit()` is one training.
/// - Temp names are skipped everywhere: wwmon never touches them and never reads them.
public enum CheckpointLayout {
    /// In-flight names by convention: safetensors' `.tmpXXXX`, HF's `tmp-checkpoint-*`, orbax's
    /// `*.orbax-checkpoint-tmp*`, `*.partial`/`*.part`/`*.tmp`/`*.incomplete`, and dotfiles.
    public static func isTemporary(_ name: String) -> Bool {
        let n = name.lowercased()
        return n.hasPrefix(".") || n.hasPrefix("tmp-checkpoint-") || n.contains("orbax-checkpoint-tmp")
            || n.hasSuffix(".partial") || n.hasSuffix(".part") || n.contains(".tmp")
            || n.hasSuffix(".incomplete")
    }

    static func isShardFile(_ name: String) -> Bool {
        name.firstMatch(of: /-\d+-of-\d+\.[A-Za-z]+$/) != nil
    }

    static func matches(_ name: String, _ patterns: [String]) -> Bool {
        patterns.contains { fnmatch($0, name, 0) == 0 }
    }

    struct Entry {
        var name: String
        /// A real directory (never a symlink to one: directory symlinks are not followed, so a
        /// `loop -> .` or `-> /` inside a run adds nothing; issue 10, point 4).
        var isDir: Bool
        /// A symlink to a regular file (see `SymlinkPolicy`).
        var isFileLink: Bool = false
    }

    static func list(_ dir: String) -> [Entry] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out: [Entry] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var type = e.pointee.d_type
            if type == UInt8(DT_UNKNOWN) {
                var st = stat()
                guard lstat(dir + "/" + name, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: type = UInt8(DT_DIR)
                case S_IFLNK: type = UInt8(DT_LNK)
                case S_IFREG: type = UInt8(DT_REG)
                default: type = UInt8(DT_UNKNOWN)
                }
            }
            if type == UInt8(DT_LNK) {
                // Only a link to a regular file is kept; links to directories are never walked.
                var st = stat()
                guard stat(dir + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
                out.append(Entry(name: name, isDir: false, isFileLink: true))
                continue
            }
            out.append(Entry(name: name, isDir: type == UInt8(DT_DIR)))
        }
        return out.sorted { $0.name < $1.name }
    }

    /// Every candidate in one run folder.
    public static func scan(runDir: String, run: String, root: String, patterns: [String],
                            maxDepth: Int, symlinksOutsideRoot: Bool = false) -> [CheckpointCandidate] {
        var out: [CheckpointCandidate] = []
        scanDir(runDir, depth: 0, isRunDir: true, run: run, root: root, patterns: patterns,
                maxDepth: maxDepth, into: &out)
        return SymlinkPolicy(root: root, allowOutsideRoot: symlinksOutsideRoot).filter(out)
    }

    static func scanDir(_ dir: String, depth: Int, isRunDir: Bool, run: String, root: String,
                        patterns: [String], maxDepth: Int, into out: inout [CheckpointCandidate]) {
        let entries = list(dir).filter { !isTemporary($0.name) }
        let files = entries.filter { !$0.isDir }.map(\.name)
        let weightFiles = files.filter { matches($0, patterns) && CheckpointFileRole.of(fileName: $0) == .weights }
        let indexes = files.filter { $0.hasSuffix(".index.json") }
        let name = lastPathComponent(dir)
        let named = StepParser.parse(name: name)
        if !isRunDir, !weightFiles.isEmpty || !indexes.isEmpty,
           named.step != nil || named.epoch != nil || !indexes.isEmpty || files.contains("trainer_state.json") {
            out.append(CheckpointCandidate(path: dir, kind: .directory, run: run, root: root,
                                           files: allFiles(dir, depth: 2)))
            return
        }
        var sharded = Set<String>()
        for index in indexes {
            let shards = FormatCheck.shardNames(ofIndex: dir + "/" + index)
            guard !shards.isEmpty else { continue }
            sharded.formUnion(shards)
            out.append(CheckpointCandidate(path: dir + "/" + index, kind: .shardIndex, run: run, root: root,
                                           files: [dir + "/" + index] + shards.sorted().map { dir + "/" + $0 }))
        }
        for f in weightFiles where !sharded.contains(f) && !isShardFile(f) {
            out.append(CheckpointCandidate(path: dir + "/" + f, kind: .file, run: run, root: root,
                                           files: [dir + "/" + f]))
        }
        guard depth < maxDepth else { return }
        for e in entries where e.isDir {
            let version = isRunDir || name == "lightning_logs" ? lightningVersion(e.name) : nil
            scanDir(dir + "/" + e.name, depth: depth + 1, isRunDir: false,
                    run: version.map { run + "/" + $0 } ?? run, root: root,
                    patterns: patterns, maxDepth: maxDepth, into: &out)
        }
    }

    /// `version_3` → "version_3": the folder Lightning's loggers make for each `fit()`.
    static func lightningVersion(_ name: String) -> String? {
        name.wholeMatch(of: /version_\d+/) != nil ? name : nil
    }

    /// Regular files under a checkpoint folder (temp names skipped), `depth` levels down.
    static func allFiles(_ dir: String, depth: Int) -> [String] {
        var out: [String] = []
        for e in list(dir) where !isTemporary(e.name) {
            let p = dir + "/" + e.name
            if e.isDir { if depth > 0 { out += allFiles(p, depth: depth - 1) } } else { out.append(p) }
        }
        return out
    }

    /// The layout's rules for a checkpoint folder, beyond its files' formats (which the readers
    /// judge): `trainer_state.json` (if there) parses, and a DeepSpeed `latest` beside a
    /// `global_stepN` folder names that step or a later one (formats.md §4.2).
    static func directoryCompleteness(_ c: CheckpointCandidate) -> FormatState {
        let dir = c.path
        // HF Trainer writes trainer_state.json last: a half-written one means the save is not done.
        for f in c.files where lastPathComponent(f) == "trainer_state.json" {
            guard let bytes = RegularFile.contents(f) else {
                return access(f, F_OK) == 0 ? .incomplete("\(f): not a readable regular file") : .gone
            }
            let d = Data(bytes)
            if (try? JSONSerialization.jsonObject(with: d)) == nil {
                return .incomplete("\(f): not (yet) valid JSON")
            }
        }
        let name = lastPathComponent(dir)
        if let m = name.wholeMatch(of: /global_step(\d+)/), let step = Int(m.1) {
            let latest = (dir as NSString).deletingLastPathComponent + "/latest"
            if let bytes = RegularFile.contents(latest, limit: 4096) {
                let d = Data(bytes)
                let tag = String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if let lm = tag.wholeMatch(of: /global_step(\d+)/), let latestStep = Int(lm.1), latestStep < step {
                    return .incomplete("\(dir): DeepSpeed `latest` still names \(tag)")
                }
            }
        }
        return .whole
    }
}

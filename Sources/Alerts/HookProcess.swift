import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Runs one hook invocation: exact argv, clean environment, JSON on stdin, its own session
/// (so its process group can be killed as a whole), a timeout, and a record of the result.
///
/// swift-subprocess gives us: argv without a shell, `Environment.custom` (nothing inherited),
/// `createSession` (setsid), and a teardown sequence sent to the process group when the
/// running task is cancelled — we cancel it at the timeout. What it cannot do: its teardown
/// stops as soon as the group *leader* has exited, so a child that ignores SIGTERM (or one
/// left running after a normal exit) would survive. So after every run we also send SIGKILL
/// to the whole group ourselves with Glibc `kill(-pgid)`. The group id is the leader's pid,
/// already reaped by then; the kernel keeps a pid reserved while it is still in use as a
/// group id, so the signal can only reach that group's leftovers (or nothing).
enum HookProcess {
    static func run(hook: HookConfig, payload: HookPayload,
                    options: HookRunnerOptions) async -> HookRunRecord {
        let startedAt = Date()
        let clock = ContinuousClock(), t0 = clock.now
        func record(_ outcome: HookRunRecord.Outcome, err: Captured = .init(), out: Captured = .init()) -> HookRunRecord {
            let d = clock.now - t0
            var r = HookRunRecord(
                hook: hook.name, alerts: payload.events.map(\.alert.fingerprint),
                eventKinds: payload.events.map(\.kind), startedAt: startedAt,
                durationSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18,
                outcome: outcome, stderrTail: err.tail(options.tailBytes), stdoutTail: out.tail(options.tailBytes))
            r.eventIDs = payload.eventIDs.compactMap { $0 }
            r.stdoutDiscarded = out.discarded
            r.stderrDiscarded = err.discarded
            return r
        }
        guard let exe = hook.command.first, !exe.isEmpty else {
            return record(.spawnFailed("hook \(hook.name): command is empty"))
        }
        // Said plainly, not as a shell's exit 127 (issue 10, point 9).
        if let why = Self.unrunnable(exe, path: options.path) {
            return record(.spawnFailed("hook \(hook.name): \(why)"))
        }
        // stdin is an unlinked temporary file (a hook that never reads it cannot block us on a
        // full pipe). stdout and stderr are pipes drained while the hook runs: the first
        // `captureBytes` of each are kept, the rest read and counted (a hook printing without end
        // once filled 3 GiB of temp file in 4 s). A grandchild holding a pipe open cannot keep
        // the run alive: the group is killed after the leader exits, and draining stops 1 s later.
        let stdinFile: ScratchFile
        let outPipe: (read: Int32, write: Int32), errPipe: (read: Int32, write: Int32)
        do {
            stdinFile = try ScratchFile(contents: try payload.json())
            outPipe = try Self.pipe()
            errPipe = try Self.pipe()
        } catch {
            return record(.spawnFailed("hook \(hook.name): cannot prepare its input: \(error)"))
        }
        defer { stdinFile.close(); Glibc.close(outPipe.read); Glibc.close(errPipe.read) }

        var env: [Environment.Key: String] = [:]
        for (k, v) in payload.environment(path: options.path, home: options.home) {
            env[Environment.Key(stringLiteral: k)] = v
        }
        var platform = PlatformOptions()
        platform.createSession = true
        platform.teardownSequence = [
            .gracefulShutDown(toProcessGroup: true,
                              allowedDurationToNextStep: .seconds(clamping: options.killGraceSeconds)),
        ]
        let config = Configuration(
            executable: exe.contains("/") ? .path(FilePath(exe)) : .name(exe),
            arguments: Arguments(Array(hook.command.dropFirst())),
            environment: .custom(env),
            workingDirectory: FilePath(options.home),
            platformOptions: platform)

        let leader = LeaderPID()
        let input = FileDescriptor(rawValue: stdinFile.fd)
        let out = FileDescriptor(rawValue: outPipe.write)
        let err = FileDescriptor(rawValue: errPipe.write)
        let cap = options.captureBytes
        let (outcome, outText, errText) = await withTaskGroup(of: Piece.self) { pieces in
            pieces.addTask { .out(await Captured.drain(outPipe.read, cap: cap)) }
            pieces.addTask { .err(await Captured.drain(errPipe.read, cap: cap)) }
            let outcome: HookRunRecord.Outcome = await withTaskGroup(of: Race.self) { group in
                group.addTask {
                    do {
                        let r = try await Subprocess.run(
                            config,
                            input: .fileDescriptor(input, closeAfterSpawningProcess: false),
                            output: .fileDescriptor(out, closeAfterSpawningProcess: true),
                            error: .fileDescriptor(err, closeAfterSpawningProcess: true)
                        ) { execution in await leader.set(execution.processIdentifier.value) }
                        return .finished(r.terminationStatus)
                    } catch {
                        return .failed("\(error)")
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(clamping: hook.timeoutSeconds))
                    return .timer
                }
                let first = await group.next()!
                group.cancelAll()
                switch first {
                case .finished(.exited(let c)): return .exited(c)
                case .finished(.signaled(let s)): return .signaled(s)
                case .failed(let why): return .spawnFailed("hook \(hook.name): \(exe): \(why)")
                case .timer:
                    // Cancelling the run makes swift-subprocess tear the group down; wait for it.
                    _ = await group.next()
                    return .timedOut
                }
            }
            if let pgid = await leader.pid, pgid > 0 { _ = kill(-pgid, SIGKILL) }
            pieces.addTask {
                try? await Task.sleep(for: .seconds(1))
                return .grace
            }
            var o: Captured?, e: Captured?
            while let p = await pieces.next() {
                switch p {
                case .out(let c): o = c
                case .err(let c): e = c
                case .grace: pieces.cancelAll()
                }
                if o != nil, e != nil { pieces.cancelAll(); break }
            }
            return (outcome, o ?? .init(), e ?? .init())
        }
        return record(outcome, err: errText, out: outText)
    }

    private enum Piece: Sendable {
        case out(Captured), err(Captured), grace
    }

    /// Why `exe` cannot be run, or nil: a path must exist and be executable; a bare name must be
    /// found in the hook's PATH.
    static func unrunnable(_ exe: String, path: String) -> String? {
        func check(_ p: String) -> String? {
            if access(p, F_OK) != 0 { return "\(p): no such file" }
            var st = stat()
            if stat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return "\(p): is a directory" }
            if access(p, X_OK) != 0 { return "\(p): not executable (\(String(cString: strerror(errno))))" }
            return nil
        }
        if exe.contains("/") { return check(exe) }
        for dir in path.split(separator: ":") where check("\(dir)/\(exe)") == nil { return nil }
        return "\(exe): not found in PATH=\(path)"
    }

    /// A close-on-exec pipe whose read end does not block.
    static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        // Glibc's module does not export pipe2; close-on-exec is set right after (a hook spawned
        // by another thread in between would only hold a spare write end until it exits).
        guard Glibc.pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        return (fds[0], fds[1])
    }

    private enum Race: Sendable {
        case finished(TerminationStatus)
        case failed(String)
        case timer
    }
}

/// The hook's process id, learned inside swift-subprocess's body closure.
private actor LeaderPID {
    var pid: pid_t?
    func set(_ p: pid_t) { pid = p }
}

/// What a hook wrote to one stream: the first bytes up to the cap, and how many more were
/// read and dropped.
struct Captured: Sendable {
    var kept: [UInt8] = []
    var discarded = 0

    /// The last `limit` kept bytes, as (lossy) UTF-8.
    func tail(_ limit: Int) -> String { String(decoding: kept.suffix(limit), as: UTF8.self) }

    /// Reads the non-blocking `fd` until end of file, or until cancelled (one last read then).
    static func drain(_ fd: Int32, cap: Int) async -> Captured {
        var c = Captured()
        var buf = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n > 0 {
                let room = max(0, cap - c.kept.count)
                c.kept += buf[0..<min(n, room)]
                c.discarded += n - min(n, room)
                // Never spin on a hook that prints without end: past the cap, read at most one
                // pipe-full per 10 ms (the hook waits on its full pipe meanwhile), and always let
                // other tasks run (this is the cooperative pool).
                if c.discarded > 0 {
                    do { try await Task.sleep(for: .milliseconds(10)) } catch { return c }
                } else {
                    await Task.yield()
                    if Task.isCancelled { return c }
                }
                continue
            }
            if n == 0 { return c }
            if errno == EINTR { continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK else { return c }
            if Task.isCancelled { return c }
            do { try await Task.sleep(for: .milliseconds(10)) } catch { return c }
        }
    }
}

/// An unlinked temporary file: nothing to clean up on disk, gone when closed.
struct ScratchFile: Sendable {
    let fd: Int32

    init(contents: Data) throws {
        var template = Array((NSTemporaryDirectory() + "/wwmon-hook-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        var off = 0
        let ok = contents.withUnsafeBytes { buf -> Bool in
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
        guard ok, lseek(fd, 0, SEEK_SET) == 0 else {
            let e = errno; Glibc.close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: e) ?? .EIO)
        }
        self.fd = fd
    }

    func close() { _ = Glibc.close(fd) }
}

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
        func record(_ outcome: HookRunRecord.Outcome, err: String = "", out: String = "") -> HookRunRecord {
            let d = clock.now - t0
            return HookRunRecord(
                hook: hook.name, alerts: payload.events.map(\.alert.fingerprint),
                eventKinds: payload.events.map(\.kind), startedAt: startedAt,
                durationSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18,
                outcome: outcome, stderrTail: err, stdoutTail: out)
        }
        guard let exe = hook.command.first, !exe.isEmpty else {
            return record(.spawnFailed("hook \(hook.name): command is empty"))
        }
        // stdin, stdout and stderr are unlinked temporary files rather than pipes: a hook that
        // never reads stdin cannot block us on a full pipe, and a grandchild holding stdout
        // open cannot keep the run alive after the hook itself exits.
        let stdinFile: ScratchFile, outFile: ScratchFile, errFile: ScratchFile
        do {
            stdinFile = try ScratchFile(contents: try payload.json())
            outFile = try ScratchFile(contents: Data())
            errFile = try ScratchFile(contents: Data())
        } catch {
            return record(.spawnFailed("hook \(hook.name): cannot prepare its input: \(error)"))
        }
        defer { stdinFile.close(); outFile.close(); errFile.close() }

        var env: [Environment.Key: String] = [:]
        for (k, v) in payload.environment(path: options.path, home: options.home) {
            env[Environment.Key(stringLiteral: k)] = v
        }
        var platform = PlatformOptions()
        platform.createSession = true
        platform.teardownSequence = [
            .gracefulShutDown(toProcessGroup: true,
                              allowedDurationToNextStep: .milliseconds(Int64(options.killGraceSeconds * 1000))),
        ]
        let config = Configuration(
            executable: exe.contains("/") ? .path(FilePath(exe)) : .name(exe),
            arguments: Arguments(Array(hook.command.dropFirst())),
            environment: .custom(env),
            workingDirectory: FilePath(options.home),
            platformOptions: platform)

        let leader = LeaderPID()
        let outcome: HookRunRecord.Outcome
        do {
            let input = FileDescriptor(rawValue: stdinFile.fd)
            let out = FileDescriptor(rawValue: try outFile.dupForChild())
            let err = FileDescriptor(rawValue: try errFile.dupForChild())
            outcome = await withTaskGroup(of: Race.self) { group in
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
                    try? await Task.sleep(for: .milliseconds(Int64(hook.timeoutSeconds * 1000)))
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
        } catch {
            return record(.spawnFailed("hook \(hook.name): cannot prepare its output: \(error)"))
        }
        if let pgid = await leader.pid, pgid > 0 { _ = kill(-pgid, SIGKILL) }
        return record(outcome, err: errFile.tail(options.tailBytes), out: outFile.tail(options.tailBytes))
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

    /// A descriptor for the child (swift-subprocess closes it after spawning).
    func dupForChild() throws -> Int32 {
        let d = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard d >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return d
    }

    /// The last `limit` bytes written to the file, as (lossy) UTF-8.
    func tail(_ limit: Int) -> String {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return "" }
        let start = max(0, Int(size) - limit)
        var buf = [UInt8](repeating: 0, count: Int(size) - start)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(start)) }
        return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : ""
    }

    func close() { _ = Glibc.close(fd) }
}

import Foundation
import TestSupport
import Glibc
import Store
import Synchronization
import Testing

/// End-to-end: the real `wwmon daemon` binary as a process, on temporary folders, with a real
/// SQLite history and a real sd_notify socket. Checkpoints are safetensors files copied from the
/// committed reference (Tests/Fixtures/reference, written by the safetensors library) or small ones written here.
@Suite("wwmon daemon as a process", .serialized)
struct DaemonProcessTests {
    // MARK: harness

    final class Daemon {
        let process = Process()
        let dir: URL
        let notify: NotifySocket
        var db: String { dir.appendingPathComponent("history.db").path }
        var log: String { dir.appendingPathComponent("daemon.log").path }
        var config: String { dir.appendingPathComponent("wwmon.toml").path }

        init(dir: URL, config text: String) throws {
            self.dir = dir
            try text.write(toFile: dir.appendingPathComponent("wwmon.toml").path, atomically: true, encoding: .utf8)
            notify = try NotifySocket(path: dir.appendingPathComponent("notify.sock").path)
        }

        /// Starts the daemon and waits for READY=1 (sent once the catch-up scan is scheduled).
        @discardableResult
        func start(watchdog: Bool = true, inotifyWatchLimit: Int? = nil, wrapper: [String] = [],
                   verbose: Bool = false) throws -> [String] {
            let p = Process()
            p.executableURL = StoreCLI.binary
            p.arguments = ["daemon", "--config", config, "--db", db] + (verbose ? ["-v"] : [])
            if let first = wrapper.first {
                // e.g. setpriv, to run the daemon as another user (ReliabilityProcessTests).
                p.executableURL = URL(fileURLWithPath: first)
                p.arguments = Array(wrapper.dropFirst()) + [StoreCLI.binary.path] + p.arguments!
            }
            if let limit = inotifyWatchLimit {
                // A user namespace of its own has its own inotify limits (/proc/sys/user), so the
                // limit can be hit without touching the machine's.
                p.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
                p.arguments = ["--user", "--map-root-user", "sh", "-c",
                               "echo \(limit) > /proc/sys/user/max_inotify_watches && exec \"$0\" \"$@\"",
                               StoreCLI.binary.path] + p.arguments!
            }
            var env = ProcessInfo.processInfo.environment
            env["NOTIFY_SOCKET"] = notify.path
            if watchdog { env["WATCHDOG_USEC"] = "400000" } else { env.removeValue(forKey: "WATCHDOG_USEC") }
            env.removeValue(forKey: "WWMON_DB")
            env.removeValue(forKey: "JOURNAL_STREAM")
            p.environment = env
            if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            h.seekToEndOfFile()
            p.standardError = h
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            current = p
            let msgs = notify.receive(until: "READY=1")
            guard msgs.last?.contains("READY=1") == true else {
                throw Failure("no READY=1 from the daemon: \(msgs); log:\n\(logText)")
            }
            return msgs
        }

        var current: Process?
        var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        func signal(_ sig: Int32) { if let p = current { kill(p.processIdentifier, sig) } }

        /// SIGTERM and wait for exit; returns the exit status.
        func stop() -> Int32 {
            guard let p = current, p.isRunning else { return current?.terminationStatus ?? -1 }
            kill(p.processIdentifier, SIGTERM)
            p.waitUntilExit()
            return p.terminationStatus
        }

        func kill9() {
            guard let p = current else { return }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }

        func rows(_ run: String) -> [CheckpointRecord] {
            guard FileManager.default.fileExists(atPath: db),
                  let s = try? HistoryStore(path: db, readOnly: true) else { return [] }
            return (try? s.checkpoints(run: run)) ?? []
        }

        /// Waits (generously; nothing here is timed) until the run has `count` rows.
        func waitRows(_ run: String, _ count: Int, seconds: Double = 90) -> [CheckpointRecord] {
            let deadline = Date().addingTimeInterval(seconds)
            var r = rows(run)
            while r.count < count, Date() < deadline, current?.isRunning == true {
                usleep(100_000); r = rows(run)
            }
            return r
        }

        deinit {
            if let p = current, p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
            try? FileManager.default.removeItem(at: dir)
        }
    }

    struct Failure: Error, CustomStringConvertible { var description: String; init(_ d: String) { description = d } }

    static func config(_ root: String, mode: String = "auto", subdirs: Bool = false, extra: String = "") -> String {
        """
        [[watch]]
        path = "\(root)"
        \(subdirs ? "runs_in_subdirectories = true" : "run = \"r\"")
        settle_seconds = 0.5
        mode = "\(mode)"
        poll_interval_seconds = 0.3
        incomplete_error_seconds = 2
        \(extra)
        """
    }

    static func referenceBytes(_ name: String = "d_conv2d_64x32x3x3") throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: ReferenceFixtures.casePath(name)))
    }

    /// `bytes` (a safetensors file) with one byte of its largest 2-D tensor set from `i`: the
    /// same model, other weights.
    static func variant(_ bytes: Data, _ i: Int) -> Data {
        var d = bytes
        let n = Int(d.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = (try? JSONSerialization.jsonObject(with: d[8..<(8 + n)])) as? [String: Any] ?? [:]
        let target = header.compactMap { (_, v) -> (Int, Int)? in
            guard let t = v as? [String: Any], (t["shape"] as? [Int])?.count == 2,
                  let o = t["data_offsets"] as? [Int] else { return nil }
            return (o[0], o[1])
        }.max { $0.1 - $0.0 < $1.1 - $1.0 }!
        d[8 + n + (target.0 + target.1) / 2] = UInt8(truncatingIfNeeded: i)
        return d
    }

    /// A small valid safetensors file: one F32 matrix (values vary with `seed`).
    static func smallSafetensors(seed: Int, rows: Int = 64, cols: Int = 32) -> Data {
        var header = "{\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[\(rows),\(cols)],\"data_offsets\":[0,\(rows * cols * 4)]}}"
        while header.utf8.count % 8 != 0 { header += " " }
        var d = Data()
        var n = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
        d.append(contentsOf: Array(header.utf8))
        var x = UInt64(seed &* 2654435761 &+ 12345)
        for _ in 0..<(rows * cols) {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            var v = Float(Double(x >> 11) / Double(1 << 53)) - 0.5
            withUnsafeBytes(of: &v) { d.append(contentsOf: $0) }
        }
        return d
    }

    // MARK: tests

    /// A file written slowly in place (pausing longer than the settle time mid-write) is
    /// analysed once, after it is complete — never while partial.
    @Test(arguments: ["auto", "poll"])
    func slowInPlaceWriteAnalysedOnceAfterCompletion(mode: String) throws {
        let dir = try StoreCLI.tempDir(), root = dir.appendingPathComponent("run").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let d = try Daemon(dir: dir, config: Self.config(root, mode: mode, extra: "incomplete_error_seconds = 60").replacingOccurrences(of: "incomplete_error_seconds = 2\n", with: ""))
        try d.start()
        let bytes = try Self.referenceBytes()
        let path = root + "/step_100.safetensors"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.write(contentsOf: bytes.prefix(bytes.count / 2))
        usleep(1_500_000)   // 3x the settle time with the file half written
        try h.write(contentsOf: bytes.dropFirst(bytes.count / 2))
        try h.close()
        let rows = d.waitRows("r", 1)
        usleep(1_000_000)   // give a wrong second analysis the chance to show up
        let final = d.rows("r")
        #expect(rows.count == 1 && final.count == 1, "\(final); log:\n\(d.logText)")
        #expect(final.first?.status == .ok)
        #expect(final.first?.identity.size == Int64(bytes.count))
        #expect(final.first?.step == 100)
        #expect(d.stop() == 0)
    }

    /// A checkpoint folder built elsewhere and renamed in (HF 4.36–4.38) is analysed, with its
    /// step from the folder name; a tmp-checkpoint-* folder is never analysed.
    @Test(arguments: ["auto", "poll"])
    func renamedInFolderIsAnalysed(mode: String) throws {
        let dir = try StoreCLI.tempDir(), root = dir.appendingPathComponent("run").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let d = try Daemon(dir: dir, config: Self.config(root, mode: mode))
        try d.start()
        let tmp = root + "/tmp-checkpoint-7"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        try Self.referenceBytes().write(to: URL(fileURLWithPath: tmp + "/model.safetensors"))
        usleep(1_500_000)
        #expect(d.rows("r").isEmpty, "a temp folder was analysed")
        try FileManager.default.moveItem(atPath: tmp, toPath: root + "/checkpoint-7")
        let rows = d.waitRows("r", 1)
        #expect(rows.count == 1, "log:\n\(d.logText)")
        #expect(rows.first?.path == root + "/checkpoint-7")
        #expect(rows.first?.step == 7)
        #expect(rows.first?.status == .ok)
        #expect(d.stop() == 0)
    }

    /// 200 checkpoints dropped at once are all recorded, each exactly once.
    @Test func twoHundredAtOnceRecordedExactlyOnce() throws {
        let dir = try StoreCLI.tempDir(), root = dir.appendingPathComponent("runs").path
        let staging = dir.appendingPathComponent("staging").path
        try FileManager.default.createDirectory(atPath: root + "/big", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for i in 1...200 {
            try Self.smallSafetensors(seed: i, rows: 16, cols: 8).write(to: URL(fileURLWithPath: "\(staging)/step_\(i).safetensors"))
        }
        let d = try Daemon(dir: dir, config: Self.config(root, subdirs: true))
        try d.start()
        for i in 1...200 {
            try FileManager.default.moveItem(atPath: "\(staging)/step_\(i).safetensors", toPath: "\(root)/big/step_\(i).safetensors")
        }
        let rows = d.waitRows("big", 200, seconds: 180)
        #expect(rows.count == 200, "log:\n\(d.logText.suffix(3000))")
        #expect(Set(rows.map(\.path)).count == rows.count)
        #expect(Set(rows.map(\.step)) == Set(1...200))
        #expect(rows.allSatisfy { $0.status == .ok })
        #expect(d.stop() == 0)
    }

    /// An inotify queue overflow (events lost) makes the daemon list every root again: every
    /// checkpoint is still recorded exactly once. The daemon's inotify instance gets a tiny queue
    /// by lowering fs.inotify.max_queued_events only while it starts (the value is read when the
    /// instance is created), restored right after.
    @Test func queueOverflowRescansAndLosesNothing() throws {
        let knob = "/proc/sys/fs/inotify/max_queued_events"
        guard let saved = try? String(contentsOfFile: knob, encoding: .utf8),
              (try? "4\n".write(toFile: knob, atomically: false, encoding: .utf8)) != nil else {
            print("skipped: \(knob) is not writable here"); return
        }
        let dir = try StoreCLI.tempDir(), root = dir.appendingPathComponent("runs").path
        let staging = dir.appendingPathComponent("staging").path
        try FileManager.default.createDirectory(atPath: root + "/flood", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for i in 1...60 {
            try Self.smallSafetensors(seed: i, rows: 16, cols: 8).write(to: URL(fileURLWithPath: "\(staging)/step_\(i).safetensors"))
        }
        let d = try Daemon(dir: dir, config: Self.config(root, subdirs: true))
        do {
            defer { try? saved.write(toFile: knob, atomically: false, encoding: .utf8) }
            try d.start(watchdog: false)
        }
        for i in 1...60 {
            try FileManager.default.moveItem(atPath: "\(staging)/step_\(i).safetensors", toPath: "\(root)/flood/step_\(i).safetensors")
        }
        let rows = d.waitRows("flood", 60, seconds: 120)
        #expect(d.logText.contains("inotify queue overflow"), "log:\n\(d.logText.suffix(2000))")
        #expect(rows.count == 60 && Set(rows.map(\.step)) == Set(1...60))
        #expect(d.stop() == 0)
    }

    /// kill -9 while a backlog is being analysed, then a restart: every checkpoint ends up
    /// recorded exactly once (no duplicate, no gap), the catch-up scan finding the rest.
    @Test func killNineThenRestartNoDuplicateNoGap() throws {
        let dir = try StoreCLI.tempDir(), root = dir.appendingPathComponent("run").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let bytes = try Self.referenceBytes("c_mixed_f32")
        let d = try Daemon(dir: dir, config: Self.config(root))
        try d.start()
        let n = 12
        // Distinct weights per save (identical tensors would be one checkpoint and its aliases).
        for i in 1...n { try Self.variant(bytes, i).write(to: URL(fileURLWithPath: "\(root)/checkpoint_step\(i).safetensors")) }
        let before = d.waitRows("r", 2)
        d.kill9()
        #expect(before.count >= 2)
        try d.start()
        let after = d.waitRows("r", n, seconds: 180)
        #expect(after.count == n, "log:\n\(d.logText.suffix(3000))")
        #expect(Set(after.map(\.path)).count == after.count, "a checkpoint was recorded twice")
        #expect(Set(after.map(\.step)) == Set(1...n))
        #expect(after.allSatisfy { $0.status == .ok })
        #expect(d.stop() == 0)
    }

    /// A truncated file is recorded as an error (once it stays incomplete) while the next good
    /// checkpoint is analysed; the daemon goes on. Polled roots behave the same.
    @Test(arguments: ["auto", "poll"])
    func truncatedRecordedAsErrorNextGoodAnalysed(mode: String) throws {
        let dir = try StoreCLI.tempDir(), root = dir.appendingPathComponent("run").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let d = try Daemon(dir: dir, config: Self.config(root, mode: mode))
        try d.start()
        let bytes = try Self.referenceBytes()
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: root + "/step_1.safetensors"))
        try bytes.write(to: URL(fileURLWithPath: root + "/step_2.safetensors"))
        let rows = d.waitRows("r", 2)
        let by = Dictionary(uniqueKeysWithValues: rows.map { ($0.step, $0) })
        #expect(by[1]?.status == .error, "log:\n\(d.logText)")
        #expect(by[1]?.error?.contains("step_1.safetensors") == true)
        #expect(by[2]?.status == .ok)
        #expect(d.stop() == 0)
    }

    /// A root that does not exist at start is awaited and picked up when it appears; the
    /// catch-up scan records what was there before the daemon started.
    @Test func missingRootAwaitedAndCatchUpScan() throws {
        let dir = try StoreCLI.tempDir()
        let present = dir.appendingPathComponent("present").path
        let later = dir.appendingPathComponent("later/deep/run").path
        try FileManager.default.createDirectory(atPath: present, withIntermediateDirectories: true)
        try Self.referenceBytes().write(to: URL(fileURLWithPath: present + "/epoch=2-step=40.safetensors"))
        let d = try Daemon(dir: dir, config: """
            [[watch]]
            path = "\(present)"
            settle_seconds = 0.5
            [[watch]]
            path = "\(later)"
            settle_seconds = 0.5
            """)
        try d.start()
        let first = d.waitRows("present", 1)
        #expect(first.first?.step == 40 && first.first?.epoch == 2)
        try FileManager.default.createDirectory(atPath: later, withIntermediateDirectories: true)
        try Self.referenceBytes().write(to: URL(fileURLWithPath: later + "/step_5.safetensors"))
        #expect(d.waitRows("run", 1).first?.step == 5, "log:\n\(d.logText)")
        #expect(d.stop() == 0)
    }

    /// A checkpoint still settling when the daemon starts, in a folder that then stays quiet, is
    /// recorded once its settle time passes — not at the next event or the 10-minute rescan
    /// (regression: the settle timer used to be armed only by the first event).
    @Test func checkpointSettlingAtStartRecordedWithoutFurtherEvents() throws {
        let dir = try StoreCLI.tempDir()
        let root = dir.appendingPathComponent("quiet").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let d = try Daemon(dir: dir, config: """
            [[watch]]
            path = "\(root)"
            run = "q"
            settle_seconds = 2
            """)
        try Self.smallSafetensors(seed: 7).write(to: URL(fileURLWithPath: root + "/step-3.safetensors"))
        try d.start(watchdog: false)     // no watchdog pings either: nothing else wakes the loop
        let rows = d.waitRows("q", 1, seconds: 60)
        #expect(rows.map(\.step) == [3], "log:\n\(d.logText)")
        #expect(d.stop() == 0)
    }

    /// When the inotify watch limit is hit (ENOSPC), the root is polled instead, the log names
    /// the sysctl to raise, and checkpoints are still recorded.
    @Test func watchLimitFallsBackToPolling() throws {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = ["--user", "--map-root-user", "sh", "-c", "echo 2 > /proc/sys/user/max_inotify_watches"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { print("skipped: no unshare"); return }
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else { print("skipped: user namespaces unavailable here"); return }

        let dir = try StoreCLI.tempDir()
        let root = dir.appendingPathComponent("runs").path
        for r in 0..<6 { try FileManager.default.createDirectory(atPath: "\(root)/run\(r)", withIntermediateDirectories: true) }
        let d = try Daemon(dir: dir, config: """
            [[watch]]
            path = "\(root)"
            runs_in_subdirectories = true
            settle_seconds = 0.5
            poll_interval_seconds = 0.3
            """)
        try d.start(inotifyWatchLimit: 2)
        try Self.smallSafetensors(seed: 11).write(to: URL(fileURLWithPath: root + "/run5/step-7.safetensors"))
        #expect(d.waitRows("run5", 1, seconds: 60).map(\.step) == [7], "log:\n\(d.logText)")
        #expect(d.logText.contains("fs.inotify.max_user_watches"), "log:\n\(d.logText)")
        #expect(d.stop() == 0)
    }

    /// The shipped example's layout: one run configured by itself inside a folder of runs. Its
    /// checkpoints are recorded once, under the run name it was given; its siblings as usual.
    @Test func runRootInsideFolderOfRunsRecordedOnce() throws {
        let dir = try StoreCLI.tempDir(), exps = dir.appendingPathComponent("experiments").path
        try FileManager.default.createDirectory(atPath: exps + "/bert-lr3e-4", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: exps + "/gpt-small", withIntermediateDirectories: true)
        let d = try Daemon(dir: dir, config: """
            [[watch]]
            path = "\(exps)/bert-lr3e-4"
            run = "bert"
            settle_seconds = 0.5
            [[watch]]
            path = "\(exps)"
            runs_in_subdirectories = true
            settle_seconds = 0.5
            """)
        try d.start()
        try Self.referenceBytes().write(to: URL(fileURLWithPath: exps + "/bert-lr3e-4/step_3.safetensors"))
        try Self.referenceBytes().write(to: URL(fileURLWithPath: exps + "/gpt-small/step_4.safetensors"))
        #expect(d.waitRows("bert", 1).first?.step == 3, "log:\n\(d.logText)")
        #expect(d.waitRows("gpt-small", 1).first?.step == 4)
        usleep(1_000_000)
        #expect(d.rows("bert-lr3e-4").isEmpty, "recorded under the folder name too")
        #expect(d.stop() == 0)
    }

    /// sd_notify over a real socket: READY with STATUS after the catch-up scan, WATCHDOG pings,
    /// RELOADING + MONOTONIC_USEC then READY on SIGHUP (a bad new config is rejected and the old
    /// one kept; a good one takes effect), STOPPING on SIGTERM and a clean exit.
    @Test func notifyReloadAndStop() throws {
        let dir = try StoreCLI.tempDir(), root = dir.appendingPathComponent("run").path
        let other = dir.appendingPathComponent("other").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        let d = try Daemon(dir: dir, config: Self.config(root))
        let startup = try d.start()
        #expect(startup.last?.contains("STATUS=watching 1 run, 0 queued") == true, "\(startup)")
        #expect(d.notify.receive(until: "WATCHDOG=1").last == "WATCHDOG=1")

        try "[[watch]]\npath = 3\n".write(toFile: d.config, atomically: true, encoding: .utf8)
        d.signal(SIGHUP)
        let bad = d.notify.receive(until: "READY=1")
        #expect(bad.contains { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") }, "\(bad)")
        #expect(d.logText.contains("configuration rejected") && d.logText.contains("watch[0].path"))
        try Self.referenceBytes().write(to: URL(fileURLWithPath: root + "/step_1.safetensors"))
        #expect(d.waitRows("r", 1).count == 1, "the old configuration stopped working")

        try (Self.config(root) + "\n" + Self.config(other).replacingOccurrences(of: "run = \"r\"", with: "run = \"o\""))
            .write(toFile: d.config, atomically: true, encoding: .utf8)
        d.signal(SIGHUP)
        let good = d.notify.receive(until: "READY=1")
        #expect(good.contains { $0.hasPrefix("RELOADING=1") })
        try Self.referenceBytes().write(to: URL(fileURLWithPath: other + "/step_9.safetensors"))
        #expect(d.waitRows("o", 1).first?.step == 9, "log:\n\(d.logText)")

        d.signal(SIGTERM)
        #expect(d.notify.receive(until: "STOPPING=1").last == "STOPPING=1")
        d.current?.waitUntilExit()
        #expect(d.current?.terminationStatus == 0)
    }
}

/// A unix datagram socket bound at a path, standing in for systemd's notify socket. Like
/// systemd it reads continuously (a thread drains it into `messages`), so the daemon's
/// non-blocking sends are never dropped for a full queue.
final class NotifySocket: @unchecked Sendable {  // fd immutable; messages behind a Mutex
    let fd: Int32
    let path: String
    private let messages = Mutex<[String]>([])
    private var cursor = 0

    init(path: String) throws {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var addr = sockaddr_un(); addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let len = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let sock = self.fd
        Thread.detachNewThread { [weak self] in
            var buf = [UInt8](repeating: 0, count: 4096)
            while let me = self {
                let n = recv(sock, &buf, buf.count, 0)
                if n > 0 { let m = String(decoding: buf[0..<n], as: UTF8.self); me.messages.withLock { $0.append(m) } }
            }
        }
    }

    /// Messages after the last one returned, up to and including the first containing `needle`
    /// (waits up to a generous minute; returns what came if it never does).
    func receive(until needle: String) -> [String] {
        let deadline = Date().addingTimeInterval(60)
        while true {
            let all = messages.withLock { $0 }
            if let i = all[cursor...].firstIndex(where: { $0.contains(needle) }) {
                defer { cursor = i + 1 }
                return Array(all[cursor...i])
            }
            if Date() > deadline { defer { cursor = all.count }; return Array(all[cursor...]) }
            usleep(20_000)
        }
    }

    deinit { close(fd); unlink(path) }
}

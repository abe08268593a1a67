import Foundation
import TestSupport
import Testing

/// `wwmon analyze`'s progress line (Sources/wwmon/Output/ProgressLine.swift): on a terminal
/// (a pty from util-linux `script`) it is drawn and erased; through a pipe nothing extra.
@Suite("wwmon analyze progress") struct ProgressOutputTests {
    static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @Test("on a terminal stderr shows layers done/total, rewritten with \\r and cleared at the end")
    func terminalShowsProgress() throws {
        let model = try ReferenceFixtures.casePath("c_mixed_f32")
        let command = [StoreCLI.binary.path, "analyze", model, "--format", "csv"].map(Self.quoted).joined(separator: " ")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-q", "-e", "-c", command, "/dev/null"]
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(out)")
        #expect(out.contains("\rlayers 0/"), "\(out.debugDescription)")
        // The last draw is the whole job, then the line is erased before the table is printed.
        guard let last = out.range(of: #"\rlayers (\d+)/\1 · "#, options: .regularExpression),
              let clear = out.range(of: "\r\u{1B}[K", range: last.upperBound..<out.endIndex),
              let table = out.range(of: "layer_id") else {
            Issue.record("no final progress, clear or table in \(out.debugDescription)"); return
        }
        #expect(clear.upperBound <= table.lowerBound)
    }

    @Test("through a pipe stderr stays empty and stdout is only the report")
    func pipeShowsNothing() throws {
        let r = try StoreCLI.run(["analyze", try ReferenceFixtures.casePath("c_mixed_f32"), "--format", "csv"])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty, "\(r.stderr.debugDescription)")
        #expect(!r.stdout.contains("layers ") && !r.stdout.contains("\r"))
    }
}

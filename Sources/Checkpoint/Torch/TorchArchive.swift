import Foundation

/// A torch.save zip archive (formats.md §2.1-§2.4), its pickle evaluated symbolically and
/// every storage it references checked against the archive. Holds no tensor bytes.
struct TorchArchive {
    let path: String
    let file: ArchiveFile
    let zip: ZipArchive
    /// `<prefix>/`, taken from the first entry as torch's C++ reader does (files get renamed).
    let prefix: String
    let pickle: SymbolicUnpickler.Result
    /// From `<prefix>/byteorder`; absent means little-endian.
    let bigEndian: Bool

    static let maxPickleBytes = 256 << 20
    static let legacyMagic: [UInt8] = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]

    /// `maxPickleBytes` caps the pickle read (companion files beside the weights get a small cap).
    init(file: ArchiveFile, maxPickleBytes: Int = Self.maxPickleBytes) throws {
        path = file.path
        self.file = file
        let fail = { (p: String) in CheckpointError.corrupt(file.path, p) }
        let unsupported = { (p: String) in CheckpointError.refused(file.path, p) }
        let head = try file.read(at: 0, count: Int(min(file.size, 14)))
        if head.starts(with: Self.legacyMagic) {
            throw unsupported("legacy (pre-1.6, non-zip) torch.save format is not supported; re-save with a current torch")
        }
        if head.starts(with: Array("PYTORCH1".utf8)) {
            throw unsupported("pre-1.0 'PYTORCH1' archive is not supported")
        }
        guard head.starts(with: [0x50, 0x4b, 0x03, 0x04]) else {
            throw unsupported("not a torch.save zip archive (no PK\\x03\\x04 signature)")
        }
        zip = try ZipArchive(file: file)
        guard let first = zip.entries.first, let slash = first.name.firstIndex(of: "/") else {
            throw unsupported("zip has no '<prefix>/data.pkl' entry: not a torch.save archive")
        }
        prefix = String(first.name[...slash])
        for e in zip.entries where !e.name.hasPrefix(prefix) {
            throw fail("zip entry '\(e.name)' does not share the archive prefix '\(prefix)'")
        }
        if zip.entry(named: prefix + "constants.pkl") != nil {
            throw unsupported("TorchScript archive (torch.jit.save), not a torch.save checkpoint; save the model's state_dict instead")
        }
        guard let pkl = zip.entry(named: prefix + "data.pkl") else {
            throw unsupported("zip has no '\(prefix)data.pkl' entry: not a torch.save archive")
        }
        guard pkl.isStored else { throw unsupported("'\(pkl.name)' is compressed (method \(pkl.method)); torch.save stores entries uncompressed") }
        guard pkl.size <= UInt64(maxPickleBytes) else { throw fail("'\(pkl.name)' is \(pkl.size) bytes (limit \(maxPickleBytes))") }

        var big = false
        if let order = zip.entry(named: prefix + "byteorder") {
            guard order.isStored, order.size <= 16 else { throw fail("unreadable byteorder record") }
            let text = String(decoding: try file.read(at: order.dataOffset, count: Int(order.size)), as: UTF8.self)
            switch text.trimmingCharacters(in: .whitespacesAndNewlines) {
            case "little": big = false
            case "big": big = true
            default: throw fail("byteorder record says '\(text)', expected 'little' or 'big'")
            }
        }
        bigEndian = big

        let bytes = try file.read(at: pkl.dataOffset, count: Int(pkl.size))
        pickle = try SymbolicUnpickler(path: file.path, member: pkl.name).run(bytes)

        // Every storage the pickle declared must be a stored entry of exactly numel x element size.
        for (key, storage) in pickle.storages {
            let name = prefix + "data/" + key
            guard let entry = zip.entry(named: name) else {
                throw fail("the pickle references storage '\(key)' but the archive has no '\(name)' entry")
            }
            guard entry.isStored else { throw unsupported("storage entry '\(name)' is compressed (method \(entry.method)); only stored entries can be read in place") }
            guard entry.size == UInt64(storage.byteCount) else {
                throw fail("storage entry '\(name)' holds \(entry.size) bytes, the pickle says \(storage.byteCount)")
            }
        }
    }

    /// A reference to a view's bytes: absolute offset of its first element, strides when it is
    /// not plain C order.
    func tensorRef(name: String, view: TensorView) throws -> TensorRef? {
        guard let dtype = view.element.dtype else { return nil }
        guard let entry = zip.entry(named: prefix + "data/" + view.storage.key) else {
            throw CheckpointError.corrupt(path, "missing storage entry for '\(name)'")
        }
        let byteOffset = UInt64(view.storageOffset) * UInt64(view.element.size)
        return TensorRef(name: name, dtype: dtype, shape: view.shape, file: path,
                         offset: entry.dataOffset + byteOffset,
                         strides: Self.isContiguous(view.shape, view.strides) ? nil : view.strides,
                         bigEndian: bigEndian && dtype.size > 1)
    }

    /// The value of a one-element tensor (a 0-dim `step` counter, a `best_acc1`, a monitor
    /// score); nil for larger tensors, unreadable dtypes or bytes that cannot be read.
    func scalar(_ view: TensorView) -> Double? {
        guard view.shape.allSatisfy({ $0 == 1 }), let dtype = view.element.dtype,
              let entry = zip.entry(named: prefix + "data/" + view.storage.key),
              let raw = try? file.read(at: entry.dataOffset + UInt64(view.storageOffset) * UInt64(dtype.size), count: dtype.size)
        else { return nil }
        let b = bigEndian ? Array(raw.reversed()) : raw
        let u = b.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        switch dtype {
        case .f64: return Double(bitPattern: u)
        case .f32: return Double(Float(bitPattern: UInt32(u)))
        case .bf16: return Double(Float(bitPattern: UInt32(u) << 16))
        case .f16: return Double(Float(Float16(bitPattern: UInt16(u))))
        case .i64: return Double(Int64(bitPattern: u))
        case .i32: return Double(Int32(truncatingIfNeeded: u))
        case .i16: return Double(Int16(truncatingIfNeeded: u))
        case .i8: return Double(Int8(truncatingIfNeeded: u))
        case .u64, .u32, .u16, .u8: return Double(u)
        case .bool, .f8e4m3, .f8e5m2: return nil
        }
    }

    /// C-order contiguity; dimensions of extent 1 may carry any stride (torch does the same).
    static func isContiguous(_ shape: [Int], _ strides: [Int]) -> Bool {
        if shape.contains(0) { return true }
        var expected = 1
        for (d, s) in Swift.zip(shape, strides).reversed() {
            if d != 1 && s != expected { return false }
            expected *= d
        }
        return true
    }
}

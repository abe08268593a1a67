/// Reader for NumPy `.npy` (one array) and `.npz` (a zip of `.npy` entries) files.
///
/// `.npz` entries are STORED (`np.savez`: a TensorRef points at the bytes in place) or
/// DEFLATED (`np.savez_compressed`: the TensorRef carries a `DeflatedEntry` and the reader
/// inflates that one member when its layer is read; never extracted, never the whole archive).
public enum NumpyCheckpoint {
    public static func open(_ path: String) throws -> CheckpointContents {
        let path = FileSystem.absolute(path)
        let file = try ArchiveFile(path: path)
        let head = try file.read(at: 0, count: Int(min(file.size, 6)))
        var contents: CheckpointContents
        if head.starts(with: NpyHeader.magic) {
            contents = try openNpy(file)
        } else if head.starts(with: [0x50, 0x4b, 0x03, 0x04]) {
            contents = try openNpz(file)
        } else {
            throw CheckpointError.refused(path, "neither a .npy array (\\x93NUMPY) nor a .npz zip")
        }
        let (s, e) = StepParser.parse(path: path)
        if s != nil || e != nil { contents.step = s; contents.epoch = e; contents.stepSource = .name }
        return contents
    }

    static func openNpy(_ file: ArchiveFile) throws -> CheckpointContents {
        let base = file.path.split(separator: "/").last.map(String.init) ?? file.path
        let name = base.hasSuffix(".npy") ? String(base.dropLast(4)) : base
        guard let ref = try array(in: file, at: 0, length: file.size, name: name, member: nil, skipUnsupported: false) else {
            throw CheckpointError.refused(file.path, "array has an unsupported dtype")
        }
        return CheckpointContents(path: file.path, format: .npy, tensors: [ref], files: [file.path])
    }

    static func openNpz(_ file: ArchiveFile) throws -> CheckpointContents {
        let zip = try ZipArchive(file: file)
        var tensors: [TensorRef] = []
        for entry in zip.entries where entry.name.hasSuffix(".npy") {
            let name = String(entry.name.dropLast(4))
            if entry.isStored {
                if let ref = try array(in: file, at: entry.dataOffset, length: entry.size, name: name,
                                       member: entry.name, skipUnsupported: true) {
                    tensors.append(ref)
                }
            } else if entry.method == 8 {
                var d = DeflatedEntry(member: entry.name, dataOffset: entry.dataOffset,
                                      compressedSize: entry.compressedSize, size: entry.size, dataStart: 0)
                if var ref = try array(in: file, at: 0, length: entry.size, name: name, member: entry.name,
                                       skipUnsupported: true,
                                       read: { _, count in try d.prefix(path: file.path, count: count) }) {
                    d.dataStart = ref.offset
                    ref.deflated = d
                    tensors.append(ref)
                }
            } else {
                throw CheckpointError.refused(file.path, "entry '\(entry.name)' uses zip method \(entry.method); only stored (np.savez) and deflated (np.savez_compressed) members are read")
            }
        }
        guard !tensors.isEmpty else { throw CheckpointError.refused(file.path, "npz holds no numeric .npy arrays") }
        return CheckpointContents(path: file.path, format: .npz, tensors: tensors, files: [file.path])
    }

    /// One array record of `length` bytes at `offset`; its data must fill the record exactly.
    /// `read(offset, count)` gives the record's bytes (the file's, or an inflated member's).
    static func array(in file: ArchiveFile, at offset: UInt64, length: UInt64, name: String,
                      member: String?, skipUnsupported: Bool,
                      read: ((UInt64, Int) throws -> [UInt8])? = nil) throws -> TensorRef? {
        let read = read ?? { try file.read(at: $0, count: $1) }
        let whereText = member.map { "entry '\($0)'" } ?? "array"
        let fail = { (p: String) in CheckpointError.corrupt(file.path, "\(whereText): \(p)") }
        let header: NpyHeader
        do {
            let prefix = try read(offset, Int(min(length, 12)))
            let need = try NpyHeader.headerLength(prefix)
            guard UInt64(need) <= length else { throw NpyHeader.Problem.invalid("header runs past the end (truncated)") }
            header = try NpyHeader(try read(offset, need))
        } catch let p as NpyHeader.Problem {
            switch p {
            case .unsupported(let what):
                if skipUnsupported { return nil }
                throw CheckpointError.refused(file.path, "\(whereText): unsupported \(what)")
            case .invalid(let what): throw fail("invalid .npy header: \(what)")
            }
        }
        var count = 1
        for d in header.shape {
            let (c, o) = count.multipliedReportingOverflow(by: d)
            guard !o else { throw fail("element count overflows") }
            count = c
        }
        let (bytes, o) = count.multipliedReportingOverflow(by: header.dtype.size)
        guard !o else { throw fail("byte count overflows") }
        let available = length - UInt64(header.dataStart)
        guard UInt64(bytes) == available else {
            if UInt64(bytes) > available {
                throw CheckpointError.truncated(path: file.path, detail: "\(whereText): shape \(header.shape) needs \(bytes) data bytes, only \(available) present")
            }
            throw fail(UInt64(bytes) > available
                ? "truncated: shape \(header.shape) needs \(bytes) data bytes, only \(available) present"
                : "\(available - UInt64(bytes)) bytes after the array data")
        }
        var strides: [Int]?
        if header.fortranOrder, count > 0 {
            var s: [Int] = []
            var step = 1
            for d in header.shape { s.append(step); step *= max(d, 1) }
            strides = TorchArchive.isContiguous(header.shape, s) ? nil : s
        }
        return TensorRef(name: name, dtype: header.dtype, shape: header.shape, file: file.path,
                         offset: offset + UInt64(header.dataStart), strides: strides, bigEndian: header.bigEndian)
    }
}

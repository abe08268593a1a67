/// Reading `np.savez_compressed` members (`TensorRef.deflated`): the member is inflated, when
/// its layer is read, into the tensor's own buffer — one tensor's bytes in memory, as for the
/// stored formats — and widened there; a Fortran-ordered array is put in row-major order from
/// that buffer.
extension TensorReader {
    func readDeflatedFloat64(_ t: TensorRef, _ d: DeflatedEntry, count n: Int) throws -> [Double] {
        let size = t.dtype.size
        if t.strides == nil {
            return try [Double](unsafeUninitializedCapacity: n) { buf, initialized in
                guard n > 0 else { return }
                try d.readData(path: t.file, into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buf)[0..<n * size]))
                FloatWidening.widen(UnsafeRawPointer(buf.baseAddress!), count: n, dtype: t.dtype,
                                    bigEndian: t.bigEndian, into: buf.baseAddress!)
                initialized = n
            }
        }
        let ordered = try rowMajorBytes(t, d, count: n)
        return [Double](unsafeUninitializedCapacity: n) { buf, initialized in
            ordered.withUnsafeBytes { raw in
                if n > 0 {
                    FloatWidening.widen(raw.baseAddress!, count: n, dtype: t.dtype, bigEndian: t.bigEndian,
                                        into: buf.baseAddress!)
                }
            }
            initialized = n
        }
    }

    func readDeflatedRaw(_ t: TensorRef, _ d: DeflatedEntry, count n: Int,
                         _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard n > 0 else { return }
        let bytes = try rowMajorBytes(t, d, count: n)
        try bytes.withUnsafeBytes { try body($0) }
    }

    /// The array's bytes in row-major order of its logical shape.
    private func rowMajorBytes(_ t: TensorRef, _ d: DeflatedEntry, count n: Int) throws -> [UInt8] {
        let size = t.dtype.size
        var stored = [UInt8](repeating: 0, count: n * size)
        try stored.withUnsafeMutableBytes { try d.readData(path: t.file, into: $0) }
        guard let strides = t.strides else { return stored }
        var out = [UInt8](repeating: 0, count: n * size)
        let shape = t.shape
        var index = [Int](repeating: 0, count: shape.count)
        stored.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                for k in 0..<n {
                    var off = 0
                    for (i, s) in zip(index, strides) { off += i * s }
                    (dst.baseAddress! + k * size).copyMemory(from: src.baseAddress! + off * size, byteCount: size)
                    var dim = shape.count - 1
                    while dim >= 0 {
                        index[dim] += 1
                        if index[dim] < shape[dim] { break }
                        index[dim] = 0; dim -= 1
                    }
                }
            }
        }
        return out
    }
}

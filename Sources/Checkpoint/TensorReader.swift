/// Reads one tensor's bytes at a time with pread, in bounded chunks.
///
/// Memory stays at one tensor's Float64 array plus at most one chunk: contiguous tensors are
/// read straight into the result array and widened there in place; strided views gather through
/// a chunk-sized window. Every read re-checks that the file still holds the bytes.
public struct TensorReader: Sendable {
    /// Bytes per pread / gather window.
    public var chunkSize: Int

    public init() { self.chunkSize = 4 << 20 }

    /// `chunkSize` is clamped to at least 64 bytes; tests use small chunks to exercise boundaries.
    public init(chunkSize: Int) { self.chunkSize = max(64, chunkSize) }

    /// The tensor's elements widened exactly to Float64, in row-major order of its logical shape.
    public func readFloat64(_ t: TensorRef) throws -> [Double] {
        guard t.dtype.isFloatingPoint else {
            throw CheckpointError.unreadableTensor(path: t.file, name: t.name,
                detail: "dtype \(t.dtype.rawValue) is not a floating-point type")
        }
        let layout = try Layout(t)
        if let d = t.deflated { return try readDeflatedFloat64(t, d, count: layout.count) }
        let file = try open(t, layout)
        let n = layout.count
        let size = t.dtype.size
        if layout.contiguous {
            // Read the raw bytes into the front of the result's own storage, then widen in place.
            return try [Double](unsafeUninitializedCapacity: n) { buf, initialized in
                guard n > 0 else { return }
                let raw = UnsafeMutableRawBufferPointer(buf)
                var done = 0
                let total = n * size
                while done < total {
                    let len = min(chunkSize, total - done)
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[done..<done + len]),
                                  at: t.offset + UInt64(done))
                    done += len
                }
                FloatWidening.widen(UnsafeRawPointer(buf.baseAddress!), count: n, dtype: t.dtype,
                                    bigEndian: t.bigEndian, into: buf.baseAddress!)
                initialized = n
            }
        }
        return try [Double](unsafeUninitializedCapacity: n) { buf, initialized in
            var filled = 0
            try gather(t, layout, file) { chunk in
                let count = chunk.count / size
                FloatWidening.widen(chunk.baseAddress!, count: count, dtype: t.dtype,
                                    bigEndian: t.bigEndian, into: buf.baseAddress! + filled)
                filled += count
            }
            initialized = filled
        }
    }

    /// Calls `body` with the tensor's bytes, as stored (no byte swapping), in row-major order of its
    /// logical shape, in consecutive chunks of whole elements. A chunk is only valid during the call.
    public func readRaw(_ t: TensorRef, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let layout = try Layout(t)
        if let d = t.deflated { return try readDeflatedRaw(t, d, count: layout.count, body) }
        let file = try open(t, layout)
        if layout.contiguous {
            let total = layout.count * t.dtype.size
            guard total > 0 else { return }
            let step = max(t.dtype.size, chunkSize / t.dtype.size * t.dtype.size)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(step, total), alignment: 16)
            defer { buffer.deallocate() }
            var done = 0
            while done < total {
                let len = min(buffer.count, total - done)
                let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<len])
                try file.read(into: part, at: t.offset + UInt64(done))
                try body(UnsafeRawBufferPointer(part))
                done += len
            }
        } else {
            try gather(t, layout, file, body)
        }
    }

    /// XXH64 of the bytes `readRaw` yields, as 16 lowercase hex digits: a fast fingerprint for
    /// "did this tensor change", not a cryptographic hash. Dtype and shape are not mixed in.
    public func contentHash(_ t: TensorRef) throws -> String {
        var hasher = XXH64()
        try readRaw(t) { hasher.update($0) }
        let hex = String(hasher.finalize(), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    // MARK: - Layout and bounds

    /// Element count, strides and the byte span a tensor covers, all overflow-checked.
    struct Layout {
        var count: Int
        var strides: [Int]
        var contiguous: Bool
        /// Bytes from the tensor's offset to one past its last reachable byte.
        var spanBytes: Int

        init(_ t: TensorRef) throws {
            func bad(_ detail: String) -> CheckpointError {
                .unreadableTensor(path: t.file, name: t.name, detail: detail)
            }
            var count = 1
            for d in t.shape {
                guard d >= 0 else { throw bad("negative dimension in shape \(t.shape)") }
                let (p, o) = count.multipliedReportingOverflow(by: d)
                guard !o else { throw bad("element count of shape \(t.shape) overflows") }
                count = p
            }
            var contiguousStrides = [Int](repeating: 1, count: t.shape.count)
            var s = 1
            for k in t.shape.indices.reversed() {
                contiguousStrides[k] = s
                s = s &* max(t.shape[k], 1)  // cannot overflow: bounded by count unless a dim is 0
            }
            let strides = t.strides ?? contiguousStrides
            guard strides.count == t.shape.count else {
                throw bad("\(strides.count) strides for a \(t.shape.count)-dimensional shape")
            }
            guard strides.allSatisfy({ $0 >= 0 }) else { throw bad("negative stride in \(strides)") }
            self.count = count
            self.strides = strides
            // Strides of dimensions of extent 1 never matter.
            self.contiguous = count == 0 || zip(t.shape.indices, strides).allSatisfy { k, st in
                t.shape[k] == 1 || st == contiguousStrides[k]
            }
            if count == 0 {
                spanBytes = 0
                return
            }
            var last = 0  // storage index of the last reachable element
            for (d, st) in zip(t.shape, strides) {
                let (a, o1) = (d - 1).multipliedReportingOverflow(by: st)
                let (b, o2) = last.addingReportingOverflow(a)
                guard !o1, !o2 else { throw bad("strides \(strides) reach past 2^63 elements") }
                last = b
            }
            let (elements, o3) = last.addingReportingOverflow(1)
            let (span, o4) = elements.multipliedReportingOverflow(by: t.dtype.size)
            guard !o3, !o4 else { throw bad("strides \(strides) reach past 2^63 bytes") }
            spanBytes = span
        }
    }

    /// Opens the file and checks, now, that it still holds every byte the tensor reaches.
    private func open(_ t: TensorRef, _ layout: Layout) throws -> ReadOnlyFile {
        let file = try ReadOnlyFile(t.file)
        let size = try file.size()
        if let expected = t.expectedFileSize, expected != size {
            throw CheckpointError.fileChanged(path: t.file,
                detail: "size was \(expected) bytes when its tensors were listed, now \(size)")
        }
        let (end, overflow) = t.offset.addingReportingOverflow(UInt64(layout.spanBytes))
        guard !overflow, end <= size else {
            throw CheckpointError.truncated(path: t.file,
                detail: "tensor \(quoted(t.name)) needs bytes \(t.offset)..<\(overflow ? UInt64.max : end), file has \(size)")
        }
        return file
    }

    /// Reads the view's whole storage span, then copies its elements out in logical (row-major)
    /// order, `perChunk` at a time.
    private func gatherFromSpan(_ t: TensorRef, _ layout: Layout, _ file: ReadOnlyFile, perChunk: Int,
                                _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let n = layout.count, size = t.dtype.size, rank = t.shape.count
        let span = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, layout.spanBytes), alignment: 16)
        defer { span.deallocate() }
        try file.read(into: UnsafeMutableRawBufferPointer(rebasing: span[0..<layout.spanBytes]), at: t.offset)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: min(perChunk, n) * size, alignment: 16)
        defer { output.deallocate() }
        var index = [Int](repeating: 0, count: rank)
        var storage = 0, filled = 0
        for _ in 0..<n {
            (output.baseAddress! + filled * size).copyMemory(from: span.baseAddress! + storage * size, byteCount: size)
            filled += 1
            if filled * size == output.count {
                try body(UnsafeRawBufferPointer(output))
                filled = 0
            }
            // Odometer step in row-major order, last dimension fastest.
            var k = rank - 1
            while k >= 0 {
                index[k] += 1
                storage += layout.strides[k]
                if index[k] < t.shape[k] { break }
                storage -= layout.strides[k] * t.shape[k]
                index[k] = 0
                k -= 1
            }
        }
        if filled > 0 { try body(UnsafeRawBufferPointer(rebasing: output[0..<filled * size])) }
    }

    /// Strided gather: visits elements in storage order (dimensions by descending stride), so the
    /// window over the covering byte span moves forward, and scatters them into logical order in
    /// an output chunk that is handed to `body` whenever it fills up.
    ///
    /// Output chunks hold a contiguous run of logical indices, so elements are collected per run:
    /// for each output chunk the storage-order walk is repeated, keeping only that chunk's
    /// elements. One pass suffices whenever the whole tensor fits one chunk, the common case for
    /// views small enough to be stored strided.
    private func gather(_ t: TensorRef, _ layout: Layout, _ file: ReadOnlyFile,
                        _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let n = layout.count
        guard n > 0 else { return }
        let size = t.dtype.size
        let rank = t.shape.count
        let perChunk = max(1, chunkSize / size)
        // A view whose storage span is no larger than its own elements (stride-0 broadcasts,
        // transposes, ...) is read once and walked in logical order: one pass, however many
        // output chunks. The walk below re-scans the view per output chunk, which for a stride-0
        // view of 20000×5000 took minutes (issue 10, point 1).
        let (logicalBytes, o) = n.multipliedReportingOverflow(by: size)
        if !o, layout.spanBytes <= max(chunkSize, logicalBytes) {
            try gatherFromSpan(t, layout, file, perChunk: perChunk, body)
            return
        }
        // Logical (row-major) strides of the output.
        var logical = [Int](repeating: 1, count: rank)
        var s = 1
        for k in (0..<rank).reversed() { logical[k] = s; s *= t.shape[k] }
        // Walk order: descending storage stride, ties by dimension index (stable).
        let order = (0..<rank).sorted { a, b in
            layout.strides[a] != layout.strides[b] ? layout.strides[a] > layout.strides[b] : a < b
        }
        let windowCapacity = max(size, min(chunkSize, layout.spanBytes))
        let window = UnsafeMutableRawBufferPointer.allocate(byteCount: windowCapacity, alignment: 16)
        defer { window.deallocate() }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: min(perChunk, n) * size, alignment: 16)
        defer { output.deallocate() }

        var windowStart = 0, windowLength = 0
        var outStart = 0
        while outStart < n {
            let outEnd = min(n, outStart + perChunk)
            var index = [Int](repeating: 0, count: rank)
            var storage = 0, logicalIndex = 0
            var remaining = n
            while remaining > 0 {
                if logicalIndex >= outStart && logicalIndex < outEnd {
                    let byte = storage * size
                    if byte < windowStart || byte + size > windowStart + windowLength {
                        windowStart = byte
                        windowLength = min(windowCapacity, layout.spanBytes - byte)
                        try file.read(into: UnsafeMutableRawBufferPointer(rebasing: window[0..<windowLength]),
                                      at: t.offset + UInt64(byte))
                    }
                    (output.baseAddress! + (logicalIndex - outStart) * size)
                        .copyMemory(from: window.baseAddress! + (byte - windowStart), byteCount: size)
                }
                remaining -= 1
                // Odometer step over `order`, innermost (smallest stride) first.
                var j = rank - 1
                while j >= 0 {
                    let k = order[j]
                    index[k] += 1
                    storage += layout.strides[k]
                    logicalIndex += logical[k]
                    if index[k] < t.shape[k] { break }
                    storage -= layout.strides[k] * t.shape[k]
                    logicalIndex -= logical[k] * t.shape[k]
                    index[k] = 0
                    j -= 1
                }
            }
            try body(UnsafeRawBufferPointer(rebasing: output[0..<(outEnd - outStart) * size]))
            outStart = outEnd
        }
    }
}

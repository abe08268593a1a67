/// A validated safetensors header: the tensors it describes and its string metadata.
struct SafetensorsHeader {
    /// Tensors sorted by name in Unicode code-point order (Python's `sorted`, WeightWatcher's order).
    var tensors: [TensorRef]
    var metadata: [String: String]
    /// N, the header's byte length.
    var headerLength: UInt64
    /// Size the file must have: 8 + N + last END.
    var fileSize: UInt64
}

/// Reading and validating a single `.safetensors` file (spec formats.md §1.1, §1.4).
enum SafetensorsFile {
    /// The reference reader's MAX_HEADER_SIZE.
    static let maxHeaderLength: UInt64 = 100_000_000
    /// Far above real models (large MoE checkpoints hold ~10^5 tensors) and keeps a hostile header
    /// from building millions of descriptors.
    static let maxTensorCount = 1_000_000
    static let maxNameBytes = 16_384
    /// numpy and torch both stop at 64 dimensions.
    static let maxRank = 64

    /// Opens `path`, reads its header and validates it against the file's current size.
    static func read(_ path: String) throws -> SafetensorsHeader {
        let file = try ReadOnlyFile(path)
        return try read(file)
    }

    static func read(_ file: ReadOnlyFile) throws -> SafetensorsHeader {
        let path = file.path
        let size = try file.size()
        guard size >= 8 else {
            throw CheckpointError.truncated(path: path, detail: "file has \(size) bytes, fewer than the 8-byte header length")
        }
        let lengthBytes = try file.read(count: 8, at: 0)
        let n = lengthBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard n <= maxHeaderLength else {
            throw CheckpointError.invalidHeader(path: path,
                detail: "header length \(n) exceeds the limit of \(maxHeaderLength) bytes")
        }
        guard 8 + n <= size else {
            throw CheckpointError.truncated(path: path,
                detail: "header says its JSON is \(n) bytes, but the file has only \(size) bytes in all")
        }
        let headerBytes = try file.read(count: Int(n), at: 8)
        return try parse(headerBytes: headerBytes, path: path, fileSize: size)
    }

    /// Validates header JSON bytes for a file of `fileSize` bytes.
    static func parse(headerBytes: [UInt8], path: String, fileSize: UInt64) throws -> SafetensorsHeader {
        let n = UInt64(headerBytes.count)
        let json: JSONValue
        do {
            json = try StrictJSONParser.parse(headerBytes)
        } catch let e as JSONSyntaxError {
            throw CheckpointError.invalidHeader(path: path, detail: "JSON error at byte \(e.offset) of the header: \(e.message)")
        }
        guard case .object(let members) = json else {
            throw CheckpointError.invalidHeader(path: path, detail: "header is \(json.kindName), expected a JSON object")
        }

        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        entries.reserveCapacity(min(members.count, maxTensorCount))

        for member in members {
            let name = member.key, value = member.value
            if name == "__metadata__" {
                guard case .object(let pairs) = value else {
                    throw CheckpointError.invalidHeader(path: path, detail: "__metadata__ is \(value.kindName), expected an object of strings")
                }
                for pair in pairs {
                    let k = pair.key, v = pair.value
                    guard case .string(let s) = v else {
                        throw CheckpointError.invalidHeader(path: path,
                            detail: "__metadata__ value for \(quoted(k)) is \(v.kindName), expected a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            guard entries.count < maxTensorCount else {
                throw CheckpointError.invalidHeader(path: path, detail: "more than \(maxTensorCount) tensors")
            }
            guard name.utf8.count <= maxNameBytes else {
                throw CheckpointError.invalidTensor(path: path, name: name,
                    detail: "name is \(name.utf8.count) bytes long, limit \(maxNameBytes)")
            }
            entries.append(try entry(name: name, value: value, path: path))
        }

        // Reference rule (§1.4.4): sorted by offsets, each BEGIN equal to the previous END.
        let byOffset = entries.indices.sorted {
            (entries[$0].begin, entries[$0].end) < (entries[$1].begin, entries[$1].end)
        }
        var expectedBegin: UInt64 = 0
        var previous: String?
        for i in byOffset {
            let e = entries[i]
            if e.begin != expectedBegin {
                let place = previous.map { "after tensor \(quoted($0)) ends at \(expectedBegin)" } ?? "the data section starts at 0"
                let what = e.begin < expectedBegin ? "overlaps the previous tensor" : "leaves a gap"
                throw CheckpointError.invalidTensor(path: path, name: e.name,
                    detail: "data_offsets [\(e.begin), \(e.end)] \(what): \(place)")
            }
            expectedBegin = e.end
            previous = e.name
        }

        // Coverage (§1.4.6), checked before any tensor byte is touched.
        let dataLength = fileSize - 8 - n
        let dataEnd = expectedBegin
        if dataEnd > dataLength {
            throw CheckpointError.truncated(path: path,
                detail: "header says \(dataEnd) bytes of data, file has \(dataLength)")
        }
        if dataEnd < dataLength {
            throw CheckpointError.trailingBytes(path: path, expected: 8 + n + dataEnd, actual: fileSize)
        }

        let dataStart = 8 + n
        var tensors = entries.map {
            TensorRef(name: $0.name, dtype: $0.dtype, shape: $0.shape, file: path,
                      offset: dataStart + $0.begin, expectedFileSize: fileSize)
        }
        tensors.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return SafetensorsHeader(tensors: tensors, metadata: metadata, headerLength: n, fileSize: fileSize)
    }

    private struct Entry { var name: String; var dtype: DType; var shape: [Int]; var begin: UInt64; var end: UInt64 }

    private static func entry(name: String, value: JSONValue, path: String) throws -> Entry {
        func bad(_ detail: String) -> CheckpointError { .invalidTensor(path: path, name: name, detail: detail) }
        guard case .object(let fields) = value else { throw bad("entry is \(value.kindName), expected an object") }
        var dtypeValue: JSONValue?, shapeValue: JSONValue?, offsetsValue: JSONValue?
        for field in fields {
            let k = field.key, v = field.value
            switch k {
            case "dtype": dtypeValue = v
            case "shape": shapeValue = v
            case "data_offsets": offsetsValue = v
            default: break  // the reference reader ignores unknown fields
            }
        }
        guard let dtypeValue else { throw bad("missing \"dtype\"") }
        guard let shapeValue else { throw bad("missing \"shape\"") }
        guard let offsetsValue else { throw bad("missing \"data_offsets\"") }

        guard case .string(let dtypeName) = dtypeValue else { throw bad("dtype is \(dtypeValue.kindName), expected a string") }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw CheckpointError.unsupportedDType(path: path, name: name, dtype: dtypeName)
        }

        guard case .array(let dims) = shapeValue else { throw bad("shape is \(shapeValue.kindName), expected an array") }
        guard dims.count <= maxRank else { throw bad("shape has \(dims.count) dimensions, limit \(maxRank)") }
        var shape: [Int] = []
        var numel: UInt64 = 1
        for d in dims {
            guard let u = d.unsignedInteger else {
                throw bad("shape entry \(d.kindName) is not a non-negative integer")
            }
            guard u <= UInt64(Int.max) else { throw bad("shape entry \(u) is too large") }
            let (p, overflow) = numel.multipliedReportingOverflow(by: u)
            guard !overflow else { throw bad("element count of shape \(dims.map { $0.kindName }) overflows 64 bits") }
            numel = p
            shape.append(Int(u))
        }
        let (nbytes, overflow) = numel.multipliedReportingOverflow(by: UInt64(dtype.size))
        guard !overflow, nbytes <= UInt64(Int.max) else { throw bad("byte count of shape \(shape) overflows") }

        guard case .array(let offs) = offsetsValue, offs.count == 2,
              let begin = offs[0].unsignedInteger, let end = offs[1].unsignedInteger else {
            throw bad("data_offsets must be an array of two non-negative integers")
        }
        guard end >= begin else { throw bad("data_offsets [\(begin), \(end)] end before they begin") }
        guard end - begin == nbytes else {
            throw bad("shape \(shape) of \(dtype.rawValue) needs \(nbytes) bytes, data_offsets [\(begin), \(end)] hold \(end - begin)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }
}

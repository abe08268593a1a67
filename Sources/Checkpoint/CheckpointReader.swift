/// What the first bytes of a file say it is (spec formats.md §0, "Format sniffing").
public enum SniffedFormat: Sendable, Equatable {
    case safetensors
    /// `PK\x03\x04`: a torch.save archive, an .npz, or a .keras file.
    case zip
    case npy
    case torchLegacy
    case hdf5
    case unknown
}

/// Entry point of the readers: lists a checkpoint's tensors without reading their bytes.
public enum CheckpointReader {
    /// Reads the checkpoint at `path`: a safetensors file (recognised by its bytes, or by its
    /// extension when the bytes are too damaged to tell), a directory with a
    /// `*.safetensors.index.json` (sharded), or a directory of `model*.safetensors` files such as
    /// an HF `checkpoint-N/` folder. Throws `CheckpointError` naming the file and the problem.
    public static func open(_ path: String) throws -> CheckpointContents {
        let absolute = FileSystem.absolute(path)
        switch try FileSystem.kind(absolute) {
        case .directory: return try openDirectory(absolute)
        case .file: return try openFile(absolute)
        case .other(let what): throw CheckpointError.unsupportedFormat(path: absolute, detail: "is \(what), expected a regular file or directory")
        }
    }

    /// Classifies a file by its first bytes (up to 16 are looked at) and its total size.
    public static func sniff(_ head: [UInt8], fileSize: UInt64) -> SniffedFormat {
        if head.starts(with: [0x50, 0x4b, 0x03, 0x04]) { return .zip }
        if head.starts(with: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]) { return .npy }
        if head.starts(with: [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]) {
            return .torchLegacy
        }
        if head.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]) { return .hdf5 }
        if head.count >= 9 {
            let n = head.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            let jsonStart: Set<UInt8> = [0x7b, 0x20, 0x09, 0x0a, 0x0d]  // '{' or JSON whitespace
            if n >= 2, n <= SafetensorsFile.maxHeaderLength, 8 + n <= fileSize, jsonStart.contains(head[8]) {
                return .safetensors
            }
        }
        return .unknown
    }

    // MARK: - Files

    static func openFile(_ path: String) throws -> CheckpointContents {
        let file = try ReadOnlyFile(path)
        let size = try file.size()
        let head = try file.read(count: Int(min(size, 16)), at: 0)
        let format = sniff(head, fileSize: size)
        let lowerName = FileSystem.baseName(path).lowercased()
        switch format {
        case .safetensors:
            return try safetensorsContents(path: path, file: file)
        case .zip:
            // torch.save archives hold `<prefix>/data.pkl`; .npz archives hold `*.npy` entries.
            return try ZipKind.isNpz(path) ? NumpyCheckpoint.open(path) : TorchCheckpoint.open(path)
        case .npy:
            return try NumpyCheckpoint.open(path)
        case .torchLegacy:
            throw CheckpointError.unsupportedFormat(path: path, detail: "legacy (pre-1.6, non-zip) torch.save files are not supported")
        case .hdf5:
            throw CheckpointError.unsupportedFormat(path: path, detail: "HDF5 (Keras .h5) files are not supported")
        case .unknown:
            // A damaged safetensors file no longer sniffs as one; parse it anyway so the error
            // says what is wrong with it (truncated, header length too large, ...).
            if lowerName.hasSuffix(".safetensors") {
                return try safetensorsContents(path: path, file: file)
            }
            if lowerName.hasSuffix(".bin.index.json") { return try TorchCheckpoint.open(path) }
            let hex = head.prefix(8).map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined(separator: " ")
            throw CheckpointError.unsupportedFormat(path: path,
                detail: "not a recognised checkpoint format (\(size) bytes, first bytes: \(hex.isEmpty ? "none" : hex))")
        }
    }

    private static func safetensorsContents(path: String, file: ReadOnlyFile) throws -> CheckpointContents {
        let header = try SafetensorsFile.read(file)
        var contents = CheckpointContents(path: path, format: .safetensors, tensors: header.tensors,
                                          aliases: aliases(header.metadata, header.tensors), files: [path])
        TrainingProgress.find(path: path, isFolder: false, metadata: header.metadata).apply(to: &contents)
        return contents
    }

    // MARK: - Directories

    static func openDirectory(_ dir: String) throws -> CheckpointContents {
        let names = try FileSystem.listing(dir)
        let contents: SafetensorsDirectory.Sharded
        let format: CheckpointFormat
        if let index = SafetensorsDirectory.indexFile(in: names) {
            contents = try SafetensorsDirectory.readSharded(dir: dir, indexName: index)
            format = .safetensorsSharded
        } else {
            let files = SafetensorsDirectory.weightFiles(in: names).filter {
                FileSystem.isRegularFile(FileSystem.join(dir, $0))
            }
            if files.isEmpty {
                // No safetensors: torch folders (HF pytorch_model.bin[.index.json], DeepSpeed
                // tag folders and save dirs with `latest`).
                return try TorchCheckpoint.open(dir)
            }
            contents = try SafetensorsDirectory.readFiles(dir: dir, names: files)
            format = files.count == 1 ? .safetensors : .safetensorsSharded
        }
        var result = CheckpointContents(path: dir, format: format, tensors: contents.tensors,
                                        aliases: aliases(contents.metadata, contents.tensors), files: contents.files)
        TrainingProgress.find(path: dir, isFolder: true, metadata: contents.metadata).apply(to: &result)
        return result
    }

    /// safetensors' `save_model` drops tied tensors and records `removed -> kept` in
    /// `__metadata__`; a pair whose key is not a tensor and whose value is one is such an alias.
    static func aliases(_ metadata: [String: String], _ tensors: [TensorRef]) -> [String: String] {
        guard !metadata.isEmpty else { return [:] }
        let names = Set(tensors.map(\.name))
        var result: [String: String] = [:]
        for (k, v) in metadata where !names.contains(k) && names.contains(v) { result[k] = v }
        return result
    }
}

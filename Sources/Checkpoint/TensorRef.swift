/// Element types a checkpoint may store. Every float type widens exactly to Float64
/// (f16/bf16 -> f32 -> f64 is exact, as on WeightWatcher's CPU path).
public enum DType: String, Sendable, Hashable, Codable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
    case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f64, .i64, .u64: 8
        case .f32, .i32, .u32: 4
        case .f16, .bf16, .i16, .u16: 2
        case .f8e4m3, .f8e5m2, .i8, .u8, .bool: 1
        }
    }

    /// Floating types are the only ones that can hold weights worth analysing.
    public var isFloatingPoint: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16, .f8e4m3, .f8e5m2: true
        default: false
        }
    }
}

/// Where one tensor's bytes are: a value that crosses from the readers to the analysis.
/// Nothing is read until `TensorReader` is asked for it.
public struct TensorRef: Sendable, Hashable {
    /// The tensor name: the key as written, with wrapper prefixes (DDP `module.`, torch.compile
    /// `_orig_mod.`) removed by the torch reader so a layer keeps its identity across checkpoints.
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    /// Absolute path of the file that holds the bytes.
    public var file: String
    /// Absolute byte offset of element 0 in `file`.
    public var offset: UInt64
    /// Element strides; nil means contiguous row-major (C order).
    public var strides: [Int]?
    /// True when the bytes are big-endian (some .npy files).
    public var bigEndian: Bool
    /// Size `file` had when this descriptor was made, if the reader knows it must stay so
    /// (safetensors: exactly 8 + N + last END). `TensorReader` refuses to read when the size
    /// differs: the file was rewritten or truncated since it was listed.
    public var expectedFileSize: UInt64?
    /// Set for an `np.savez_compressed` member: the bytes exist only inflated, and `offset` is
    /// then element 0's position in the uncompressed member (read by `TensorReader`).
    public var deflated: DeflatedEntry? = nil

    public init(name: String, dtype: DType, shape: [Int], file: String, offset: UInt64,
                strides: [Int]? = nil, bigEndian: Bool = false, expectedFileSize: UInt64? = nil) {
        self.name = name; self.dtype = dtype; self.shape = shape; self.file = file
        self.offset = offset; self.strides = strides; self.bigEndian = bigEndian
        self.expectedFileSize = expectedFileSize
    }

    public var elementCount: Int { shape.reduce(1, *) }
    public var byteCount: Int { elementCount * dtype.size }
}

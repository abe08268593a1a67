/// The globals the symbolic unpickler knows. Nothing is ever imported or called: these names
/// only select how a REDUCE/NEWOBJ is *interpreted*; any other global is `.unknown` and what is
/// built from it stays an inert `InertObject` (data, never a live object).
enum PickleGlobal: Sendable, Equatable {
    case orderedDict, defaultDict, counter          // collections.*: an empty dict
    case set, frozenset                             // builtins: a list
    case bytearray, complex                         // builtins: opaque data
    case codecsEncode                               // _codecs.encode: bytes
    case torchSize                                  // a tuple
    case torchDevice                                // a string
    case torchTensor, parameter                     // classes used by _rebuild_from_type_v2 / NEWOBJ
    case dtype(TorchElement)                        // torch.float16, ...
    case storageType(TorchElement?)                 // legacy torch.XStorage (element) / UntypedStorage (nil = bytes)
    case rebuildTensor, rebuildTensorV2, rebuildTensorV3
    case rebuildParameter, rebuildParameterWithState
    case rebuildFromTypeV2
    case unsupportedRebuild(String)                 // recognised tensor kinds we skip (quantized, sparse, meta, DTensor...)
    case numpyScalar, numpyDtype, numpyReconstruct, numpyNdarray   // opaque data (loss values, etc.)
    case getLayout                                  // torch.serialization._get_layout
    case builtinType(String)                        // builtins list/dict/int/... (defaultdict factories)
    case unknown(String)                            // "module.name" of anything else: never imported, never called

    /// Maps a (module, name) pair to a known global, or nil when it is not on the allow-list.
    static func lookup(module rawModule: String, name: String) -> PickleGlobal? {
        // Protocol 2 spells Python 3 modules with their Python 2 names.
        let module: String
        switch rawModule {
        case "__builtin__": module = "builtins"
        case "copy_reg": module = "copyreg"
        default: module = rawModule
        }
        switch (module, name) {
        case ("collections", "OrderedDict"): return .orderedDict
        case ("collections", "defaultdict"): return .defaultDict
        case ("collections", "Counter"): return .counter
        case ("builtins", "set"): return .set
        case ("builtins", "frozenset"): return .frozenset
        case ("builtins", "bytearray"): return .bytearray
        case ("builtins", "complex"): return .complex
        case ("builtins", "list"), ("builtins", "dict"), ("builtins", "int"), ("builtins", "float"),
             ("builtins", "str"), ("builtins", "tuple"), ("builtins", "bool"):
            return .builtinType(name)
        case ("_codecs", "encode"): return .codecsEncode
        case ("torch", "Size"): return .torchSize
        case ("torch", "device"): return .torchDevice
        case ("torch", "Tensor"): return .torchTensor
        case ("torch.nn.parameter", "Parameter"): return .parameter
        case ("torch.storage", "UntypedStorage"), ("torch", "UntypedStorage"): return .storageType(nil)
        case ("torch._utils", "_rebuild_tensor"): return .rebuildTensor
        case ("torch._utils", "_rebuild_tensor_v2"): return .rebuildTensorV2
        case ("torch._utils", "_rebuild_tensor_v3"): return .rebuildTensorV3
        case ("torch._utils", "_rebuild_parameter"): return .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): return .rebuildParameterWithState
        case ("torch._tensor", "_rebuild_from_type_v2"): return .rebuildFromTypeV2
        case ("torch._utils", "_rebuild_qtensor"), ("torch._utils", "_rebuild_sparse_tensor"),
             ("torch._utils", "_rebuild_meta_tensor_no_storage"), ("torch._utils", "_rebuild_wrapper_subclass"),
             ("torch._utils", "_rebuild_device_tensor_from_numpy"), ("torch._utils", "_rebuild_device_tensor_from_cpu_tensor"),
             ("torch._utils", "_rebuild_nested_tensor"):
            return .unsupportedRebuild(name)
        case ("torch.serialization", "_get_layout"): return .getLayout
        case ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"): return .numpyScalar
        case ("numpy", "dtype"): return .numpyDtype
        case ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"): return .numpyReconstruct
        case ("numpy", "ndarray"): return .numpyNdarray
        case ("torch", _):
            if let e = TorchElement(dtypeName: name) { return .dtype(e) }
            if let e = TorchElement(storageName: name) { return .storageType(e) }
            return nil
        default: return nil
        }
    }
}

/// A torch element type: its byte size always, our DType when we can read it.
struct TorchElement: Sendable, Equatable {
    let name: String
    let size: Int
    let dtype: DType?

    init(name: String, size: Int, dtype: DType?) { self.name = name; self.size = size; self.dtype = dtype }

    /// `torch.<dtype>` names (torch/_tensor_str and torch dtype aliases).
    init?(dtypeName n: String) {
        switch n {
        case "float64", "double": self.init(name: n, size: 8, dtype: .f64)
        case "float32", "float": self.init(name: n, size: 4, dtype: .f32)
        case "float16", "half": self.init(name: n, size: 2, dtype: .f16)
        case "bfloat16": self.init(name: n, size: 2, dtype: .bf16)
        case "float8_e4m3fn": self.init(name: n, size: 1, dtype: .f8e4m3)
        case "float8_e5m2": self.init(name: n, size: 1, dtype: .f8e5m2)
        case "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu": self.init(name: n, size: 1, dtype: nil)
        case "int64", "long": self.init(name: n, size: 8, dtype: .i64)
        case "int32", "int": self.init(name: n, size: 4, dtype: .i32)
        case "int16", "short": self.init(name: n, size: 2, dtype: .i16)
        case "int8": self.init(name: n, size: 1, dtype: .i8)
        case "uint64": self.init(name: n, size: 8, dtype: .u64)
        case "uint32": self.init(name: n, size: 4, dtype: .u32)
        case "uint16": self.init(name: n, size: 2, dtype: .u16)
        case "uint8": self.init(name: n, size: 1, dtype: .u8)
        case "bool": self.init(name: n, size: 1, dtype: .bool)
        case "complex32", "chalf": self.init(name: n, size: 4, dtype: nil)
        case "complex64", "cfloat": self.init(name: n, size: 8, dtype: nil)
        case "complex128", "cdouble": self.init(name: n, size: 16, dtype: nil)
        case "qint8", "quint8", "quint4x2", "quint2x4", "float4_e2m1fn_x2": self.init(name: n, size: 1, dtype: nil)
        case "qint32": self.init(name: n, size: 4, dtype: nil)
        default: return nil
        }
    }

    /// Legacy storage class names (torch/storage.py `_dtype_to_storage_type_map`).
    init?(storageName n: String) {
        let dtypeName: String
        switch n {
        case "DoubleStorage": dtypeName = "float64"
        case "FloatStorage": dtypeName = "float32"
        case "HalfStorage": dtypeName = "float16"
        case "BFloat16Storage": dtypeName = "bfloat16"
        case "LongStorage": dtypeName = "int64"
        case "IntStorage": dtypeName = "int32"
        case "ShortStorage": dtypeName = "int16"
        case "CharStorage": dtypeName = "int8"
        case "ByteStorage": dtypeName = "uint8"
        case "BoolStorage": dtypeName = "bool"
        case "ComplexFloatStorage": dtypeName = "complex64"
        case "ComplexDoubleStorage": dtypeName = "complex128"
        case "QInt8Storage": dtypeName = "qint8"
        case "QUInt8Storage": dtypeName = "quint8"
        case "QInt32Storage": dtypeName = "qint32"
        case "QUInt4x2Storage": dtypeName = "quint4x2"
        case "QUInt2x4Storage": dtypeName = "quint2x4"
        default: return nil
        }
        self.init(dtypeName: dtypeName)
    }
}

/// A storage named by a persistent id: `('storage', type, key, location, numel)`.
struct StorageRef: Sendable, Equatable {
    let key: String
    /// nil for UntypedStorage (numel counts bytes).
    let element: TorchElement?
    let numel: Int
    var byteCount: Int { numel * (element?.size ?? 1) }
}

/// A tensor view the pickle describes, already bounds-checked against its storage's numel.
struct TensorView: Sendable, Equatable {
    let storage: StorageRef
    let element: TorchElement
    /// In elements of `element`.
    let storageOffset: Int
    let shape: [Int]
    let strides: [Int]
}

/// A value of the symbolic evaluation. Lists and dicts are references into the machine's
/// arena (by index): BINPUT/BINGET share them, and a flat arena means no recursive teardown
/// however deep or cyclic a hostile pickle makes them.
indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case bigInt                     // a LONG wider than 64 bits; its value is never needed
    case float(Double)
    case string(String)
    case bytes(Int)                 // only the length is kept
    case shortBytes([UInt8])        // at most 16 bytes, kept: a numpy scalar's value
    case tuple(PickleTuple)
    case list(Int)
    case dict(Int)
    case global(PickleGlobal)
    case storage(StorageRef)
    case tensor(TensorView)
    case object(Int)                // an InertObject in the arena: an instance or call result of an unknown global
    case skippedTensor(String)      // a recognised tensor kind we do not read
    case opaque(String)             // harmless data we keep no value of (numpy scalar, complex, ...)

    var tupleDepth: Int { if case .tuple(let t) = self { t.depth } else { 0 } }

    var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .bytes, .shortBytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .dict: "dict"
        case .global: "global"
        case .storage: "storage"
        case .tensor: "tensor"
        case .object: "object"
        case .skippedTensor(let k): "tensor (\(k))"
        case .opaque(let k): k
        }
    }
}

/// A tuple and its nesting depth, computed once when it is built (a DAG of shared tuples
/// would make a recursive depth walk exponential).
struct PickleTuple: Sendable {
    let items: [PickleValue]
    let depth: Int

    init(_ items: [PickleValue]) {
        self.items = items
        var d = 0
        for item in items { if case .tuple(let t) = item { d = max(d, t.depth) } }
        depth = d + 1
    }
}

/// Hashable form of a dict key (optimizer state uses int keys; keys we never look up by
/// value are kept only for their position).
enum PickleKey: Hashable, Sendable {
    case string(String)
    case int(Int)
    case other(Int)   // unique per insertion: unhashable or uninteresting keys
}

/// The containers a pickle built: lists and ordered dicts, addressed by index.
struct PickleArena: Sendable {
    var lists: [[PickleValue]] = []
    var dicts: [PickleDict] = []
    var objects: [InertObject] = []

    /// "a list", "an argparse.Namespace object", ... for messages.
    func describe(_ v: PickleValue) -> String {
        switch v {
        case .object(let id): "a \(objects[id].type) object"
        case .global(.unknown(let name)): "the global '\(name)'"
        default: "a \(v.kindName)"
        }
    }
}

/// What the pickle built from a global wwmon does not know (argparse.Namespace, a dataclass, an
/// enum, functools.partial, a config class, os.system ...): the global's name and the data the
/// pickle gave it, nothing else. The class is never imported and nothing is called: REDUCE and
/// NEWOBJ record their arguments, BUILD its state, SETITEMS/APPENDS (dict and list subclasses)
/// their items, so the values inside (an optimizer's step, a Namespace's fields) stay readable.
struct InertObject: Sendable {
    /// "module.name" of the global it was built from.
    let type: String
    let args: [PickleValue]
    /// BUILD's argument (usually the instance `__dict__`, or a `(dict, slots)` tuple).
    var state: PickleValue?
    /// Dict id of SETITEMS on it (a dict subclass such as Lightning's AttributeDict).
    var items: Int?
    /// List id of APPEND(S) on it (a list subclass).
    var elements: Int?
}

struct PickleDict: Sendable {
    private(set) var keys: [PickleKey] = []
    private(set) var values: [PickleValue] = []
    private var index: [PickleKey: Int] = [:]

    /// Python semantics: re-setting a key replaces its value in place.
    mutating func set(_ key: PickleKey, _ value: PickleValue) {
        if let i = index[key] { values[i] = value; return }
        index[key] = keys.count
        keys.append(key)
        values.append(value)
    }

    subscript(_ key: String) -> PickleValue? { index[.string(key)].map { values[$0] } }
    var count: Int { keys.count }
}

/// Evaluates a pickle symbolically (formats.md §2.3-§2.5): a stack machine over the opcodes a
/// torch.save pickle uses, with a list of known globals that only decide how a REDUCE/NEWOBJ
/// is interpreted. Nothing is imported, called or executed. Any other global (argparse.Namespace
/// stored beside the weights, a dataclass, an enum, even os.system) becomes an inert value: what
/// is built from it is an `InertObject` holding its arguments and state, never a live object,
/// so the weights beside it are still read. INST/OBJ/EXT, the text protocol, out-of-band
/// buffers and PROTO > 5 (which torch.save never writes) are errors naming the file.
/// Every length, index, count and depth is checked before use.
struct SymbolicUnpickler {
    struct Limits: Sendable {
        var maxStack = 4_000_000
        var maxMarks = 100_000
        var maxMemo = 4_000_000
        var maxContainers = 4_000_000
        var maxTupleDepth = 100
        var maxStorages = 1_000_000
        var maxDims = 64
        static let `default` = Limits()
    }

    /// The result: the root value and the containers it references.
    struct Result: Sendable {
        let root: PickleValue
        let arena: PickleArena
        /// Storages by key, as the persistent ids declared them.
        let storages: [String: StorageRef]
    }

    let path: String
    let member: String
    let limits: Limits

    init(path: String, member: String = "data.pkl", limits: Limits = .default) {
        self.path = path; self.member = member; self.limits = limits
    }

    func run(_ bytes: [UInt8]) throws -> Result {
        var m = Machine(bytes: bytes, path: path, member: member, limits: limits)
        return try m.run()
    }
}

private struct Machine {
    let bytes: [UInt8]
    let path: String
    let member: String
    let limits: SymbolicUnpickler.Limits
    var pos = 0
    var opStart = 0
    var stack: [PickleValue] = []
    var marks: [Int] = []
    var memo: [UInt32: PickleValue] = [:]
    var arena = PickleArena()
    var storages: [String: StorageRef] = [:]
    var otherKeys = 0

    init(bytes: [UInt8], path: String, member: String, limits: SymbolicUnpickler.Limits) {
        self.bytes = bytes; self.path = path; self.member = member; self.limits = limits
    }

    func fail(_ problem: String) -> CheckpointError {
        CheckpointError.corrupt(path, "\(member): \(problem) (at byte \(opStart))")
    }

    /// Well-formed pickle content wwmon will not evaluate (the safety allow-list).
    func refuse(_ problem: String) -> CheckpointError {
        CheckpointError.refused(path, "\(member): \(problem) (at byte \(opStart))")
    }

    // MARK: reading the byte stream

    mutating func byte() throws -> UInt8 {
        guard pos < bytes.count else { throw fail("pickle ends without STOP (truncated)") }
        defer { pos += 1 }
        return bytes[pos]
    }

    mutating func le(_ n: Int) throws -> UInt64 {
        guard bytes.count - pos >= n else { throw fail("pickle ends inside an opcode argument (truncated)") }
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(bytes[pos + i]) << (8 * i) }
        pos += n
        return v
    }

    mutating func take(_ n: UInt64) throws -> ArraySlice<UInt8> {
        guard n <= UInt64(bytes.count - pos) else {
            throw fail("a length of \(n) runs past the end of the pickle (\(bytes.count - pos) bytes left)")
        }
        defer { pos += Int(n) }
        return bytes[pos..<(pos + Int(n))]
    }

    mutating func line() throws -> String {
        guard let nl = bytes[pos...].firstIndex(of: 0x0A), nl - pos <= 256 else {
            throw fail("GLOBAL name not terminated")
        }
        defer { pos = nl + 1 }
        return String(decoding: bytes[pos..<nl], as: UTF8.self)
    }

    // MARK: the stack

    mutating func push(_ v: PickleValue) throws {
        guard stack.count < limits.maxStack else { throw fail("stack grows past \(limits.maxStack) items") }
        if v.tupleDepth > limits.maxTupleDepth { throw fail("values nested deeper than \(limits.maxTupleDepth)") }
        stack.append(v)
    }

    mutating func pop() throws -> PickleValue {
        let floor = marks.last ?? 0
        guard stack.count > floor else { throw fail("stack underflow") }
        return stack.removeLast()
    }

    func top() throws -> PickleValue {
        guard let v = stack.last, stack.count > (marks.last ?? 0) else { throw fail("stack underflow") }
        return v
    }

    /// Items pushed since the last MARK; removes them and the mark.
    mutating func popMark() throws -> [PickleValue] {
        guard let m = marks.popLast() else { throw fail("no MARK on the stack") }
        let items = Array(stack[m...])
        stack.removeSubrange(m...)
        return items
    }

    mutating func newList(_ items: [PickleValue]) throws -> PickleValue {
        guard containerCount < limits.maxContainers else { throw fail("too many containers") }
        arena.lists.append(items)
        return .list(arena.lists.count - 1)
    }

    var containerCount: Int { arena.lists.count + arena.dicts.count + arena.objects.count }

    mutating func newDict() throws -> PickleValue {
        guard containerCount < limits.maxContainers else { throw fail("too many containers") }
        arena.dicts.append(PickleDict())
        return .dict(arena.dicts.count - 1)
    }

    mutating func newObject(_ type: String, _ args: [PickleValue]) throws -> PickleValue {
        guard containerCount < limits.maxContainers else { throw fail("too many containers") }
        // Protocol 2 builds plain instances through copyreg helpers whose first argument is the
        // class: name the object after that class, not the helper.
        var type = type
        if ["copyreg._reconstructor", "copy_reg._reconstructor", "copyreg.__newobj__", "copy_reg.__newobj__",
            "copyreg.__newobj_ex__"].contains(type), case .global(.unknown(let cls))? = args.first {
            type = cls
        }
        arena.objects.append(InertObject(type: type, args: args))
        return .object(arena.objects.count - 1)
    }

    /// The dict SETITEM(S) of an inert dict-subclass instance fill (made on first use).
    mutating func objectItems(_ id: Int) throws -> PickleValue {
        if let d = arena.objects[id].items { return .dict(d) }
        let d = try newDict()
        if case .dict(let i) = d { arena.objects[id].items = i }
        return d
    }

    mutating func objectElements(_ id: Int) throws -> PickleValue {
        if let l = arena.objects[id].elements { return .list(l) }
        let l = try newList([])
        if case .list(let i) = l { arena.objects[id].elements = i }
        return l
    }

    mutating func key(_ v: PickleValue) -> PickleKey {
        switch v {
        // Long keys are kept by position only: hashing a huge string on every SETITEM would let a
        // small hostile pickle run for a long time.
        case .string(let s) where s.utf8.count <= 4096: return .string(s)
        case .int(let i): return .int(i)
        default: otherKeys += 1; return .other(otherKeys)
        }
    }

    mutating func setItems(_ items: ArraySlice<PickleValue>, into target: PickleValue) throws {
        if case .object(let o) = target { return try setItems(items, into: try objectItems(o)) }
        guard case .dict(let id) = target else { throw fail("SETITEM(S) on a \(target.kindName), not a dict") }
        guard items.count % 2 == 0 else { throw fail("SETITEMS with an odd number of items") }
        var i = items.startIndex
        while i < items.endIndex {
            let k = key(items[i])
            arena.dicts[id].set(k, items[i + 1])
            i += 2
        }
    }

    mutating func append(_ items: [PickleValue], to target: PickleValue) throws {
        if case .object(let o) = target { return try append(items, to: try objectElements(o)) }
        guard case .list(let id) = target else { throw fail("APPEND(S) on a \(target.kindName), not a list") }
        guard arena.lists[id].count + items.count <= limits.maxStack else { throw fail("list grows too long") }
        arena.lists[id].append(contentsOf: items)
    }

    // MARK: the loop

    mutating func run() throws -> SymbolicUnpickler.Result {
        while true {
            opStart = pos
            let op = try byte()
            switch op {
            case 0x80: // PROTO
                let v = try byte()
                guard v <= 5 else { throw refuse("pickle protocol \(v) is newer than 5") }
            case 0x95: _ = try le(8) // FRAME: a hint, the stream is already in memory
            case 0x2e: // STOP
                guard stack.count == 1, marks.isEmpty else {
                    if stack.isEmpty { throw fail("STOP with an empty stack") }
                    throw fail("STOP with \(stack.count) values / \(marks.count) marks left on the stack")
                }
                return .init(root: stack[0], arena: arena, storages: storages)
            case 0x28: // MARK
                guard marks.count < limits.maxMarks else { throw fail("MARKs nested deeper than \(limits.maxMarks)") }
                marks.append(stack.count)
            case 0x30: _ = try pop()
            case 0x31: _ = try popMark()
            case 0x32: try push(try top())
            case 0x71: try put(UInt32(try le(1)))
            case 0x72: try put(UInt32(try le(4)))
            case 0x94: try put(UInt32(truncatingIfNeeded: memo.count))
            case 0x68: try get(UInt32(try le(1)))
            case 0x6a: try get(UInt32(try le(4)))

            case 0x4e: try push(.none)
            case 0x88: try push(.bool(true))
            case 0x89: try push(.bool(false))
            case 0x4b: try push(.int(Int(try le(1))))
            case 0x4d: try push(.int(Int(try le(2))))
            case 0x4a: try push(.int(Int(Int32(truncatingIfNeeded: try le(4)))))
            case 0x8a: try push(try long(count: UInt64(try le(1))))
            case 0x8b:
                let n = Int32(truncatingIfNeeded: try le(4))
                guard n >= 0 else { throw fail("LONG4 with negative length") }
                try push(try long(count: UInt64(n)))
            case 0x47: // BINFLOAT: big-endian
                let raw = try take(8)
                var bits: UInt64 = 0
                for b in raw { bits = bits << 8 | UInt64(b) }
                try push(.float(Double(bitPattern: bits)))

            case 0x58: try push(.string(try text(try le(4))))
            case 0x8c: try push(.string(try text(try le(1))))
            case 0x8d: try push(.string(try text(try le(8))))
            case 0x55: try push(.string(try text(try le(1))))
            case 0x54:
                let n = Int32(truncatingIfNeeded: try le(4))
                guard n >= 0 else { throw fail("BINSTRING with negative length") }
                try push(.string(try text(UInt64(n))))
            case 0x43: try push(Self.bytesValue(try take(try le(1))))
            case 0x42: try push(Self.bytesValue(try take(try le(4))))
            case 0x8e: try push(Self.bytesValue(try take(try le(8))))

            case 0x29: try push(.tuple(PickleTuple([])))
            case 0x74: try push(.tuple(PickleTuple(try popMark())))
            case 0x85: let a = try pop(); try push(.tuple(PickleTuple([a])))
            case 0x86: let b = try pop(), a = try pop(); try push(.tuple(PickleTuple([a, b])))
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); try push(.tuple(PickleTuple([a, b, c])))
            case 0x5d, 0x8f: try push(try newList([])) // EMPTY_LIST, EMPTY_SET (a set is kept as a list)
            case 0x6c, 0x91: let items = try popMark(); try push(try newList(items)) // LIST, FROZENSET
            case 0x61: let v = try pop(); try append([v], to: try top())
            case 0x65, 0x90: let items = try popMark(); try append(items, to: try top()) // APPENDS, ADDITEMS
            case 0x7d: try push(try newDict())
            case 0x64: // DICT
                let items = try popMark()
                let d = try newDict()
                try setItems(items[...], into: d)
                try push(d)
            case 0x73:
                let v = try pop(), k = try pop()
                try setItems([k, v][...], into: try top())
            case 0x75:
                let items = try popMark()
                try setItems(items[...], into: try top())

            case 0x63: // GLOBAL
                let module = try line(), name = try line()
                try push(.global(try global(module, name)))
            case 0x93: // STACK_GLOBAL
                let n = try pop(), m = try pop()
                guard case .string(let module) = m, case .string(let name) = n else {
                    throw fail("STACK_GLOBAL needs two strings")
                }
                try push(.global(try global(module, name)))
            case 0x52: // REDUCE
                let args = try pop(), callable = try pop()
                try push(try call(callable, args))
            case 0x81: // NEWOBJ
                let args = try pop(), cls = try pop()
                try push(try call(cls, args))
            case 0x92: // NEWOBJ_EX
                _ = try pop()
                let args = try pop(), cls = try pop()
                try push(try call(cls, args))
            case 0x62: // BUILD: an inert object keeps the state as data; known kinds keep no attributes
                let state = try pop()
                let target = try top()
                switch target {
                case .object(let id): arena.objects[id].state = state
                case .dict, .tensor, .skippedTensor, .opaque: _ = state
                default: throw refuse("BUILD on a \(target.kindName) is not allowed")
                }
            case 0x51: // BINPERSID
                try push(try persistent(try pop()))

            case 0x49: throw refuse("text opcode INT (protocol 0) is not allowed")
            case 0x4c: throw refuse("text opcode LONG (protocol 0) is not allowed")
            case 0x46: throw refuse("text opcode FLOAT (protocol 0) is not allowed")
            case 0x53: throw refuse("text opcode STRING (protocol 0) is not allowed")
            case 0x56: throw refuse("text opcode UNICODE (protocol 0) is not allowed")
            case 0x50: throw refuse("text opcode PERSID is not allowed")
            case 0x67: throw refuse("text opcode GET is not allowed")
            case 0x70: throw refuse("text opcode PUT is not allowed")
            case 0x69: throw refuse("opcode INST (instantiates an arbitrary class) is not allowed")
            case 0x6f: throw refuse("opcode OBJ (instantiates an arbitrary class) is not allowed")
            case 0x82, 0x83, 0x84: throw refuse("opcode EXT (extension registry lookup) is not allowed")
            case 0x96, 0x97, 0x98: throw refuse("protocol-5 out-of-band buffers are not allowed")
            default: throw fail("unknown pickle opcode 0x\(String(op, radix: 16))")
            }
        }
    }

    mutating func put(_ index: UInt32) throws {
        let v = try top()
        guard memo.count < limits.maxMemo || memo[index] != nil else { throw fail("memo grows past \(limits.maxMemo) entries") }
        memo[index] = v
    }

    mutating func get(_ index: UInt32) throws {
        guard let v = memo[index] else { throw fail("memo index \(index) read before it was stored") }
        try push(v)
    }

    mutating func text(_ n: UInt64) throws -> String {
        String(decoding: try take(n), as: UTF8.self)
    }

    /// Two's-complement little-endian integer; wider than 64 bits becomes `.bigInt`.
    mutating func long(count n: UInt64) throws -> PickleValue {
        let raw = try take(n)
        if raw.isEmpty { return .int(0) }
        let negative = raw.last! & 0x80 != 0
        if raw.count > 8 {
            // Fits only if the extra high bytes are pure sign extension.
            let ext: UInt8 = negative ? 0xFF : 0x00
            let high = raw.dropFirst(8)
            guard high.allSatisfy({ $0 == ext }), (raw[raw.startIndex + 7] & 0x80 != 0) == negative else { return .bigInt }
        }
        var v: UInt64 = negative ? ~0 : 0
        for (i, b) in raw.prefix(8).enumerated() {
            v &= ~(UInt64(0xFF) << (8 * i))
            v |= UInt64(b) << (8 * i)
        }
        return .int(Int(Int64(bitPattern: v)))
    }

    /// A known global, or `.unknown` for anything else: the name is kept, nothing is imported.
    func global(_ module: String, _ name: String) throws -> PickleGlobal {
        guard module.utf8.count + name.utf8.count <= 512 else { throw fail("global name longer than 512 bytes") }
        return PickleGlobal.lookup(module: module, name: name) ?? .unknown("\(module).\(name)")
    }

    // MARK: persistent ids and tensors

    mutating func persistent(_ pid: PickleValue) throws -> PickleValue {
        guard case .tuple(let t) = pid, t.items.count == 5, case .string("storage") = t.items[0] else {
            throw refuse("persistent id is not a ('storage', type, key, location, numel) tuple")
        }
        guard case .global(.storageType(let element)) = t.items[1] else {
            throw refuse("persistent id names a \(t.items[1].kindName), not a storage type")
        }
        guard case .string(let key) = t.items[2], !key.isEmpty, key.utf8.count <= 64,
              key.utf8.allSatisfy({ $0 != UInt8(ascii: "/") && $0 >= 0x20 }) else {
            throw fail("storage key is not a short string")
        }
        guard case .string = t.items[3] else { throw fail("storage location is not a string") }
        guard case .int(let numel) = t.items[4], numel >= 0 else { throw fail("storage '\(key)' has an invalid element count") }
        let size = element?.size ?? 1
        guard numel.multipliedReportingOverflow(by: size).overflow == false else { throw fail("storage '\(key)' size overflows") }
        let ref = StorageRef(key: key, element: element, numel: numel)
        if let old = storages[key] {
            // torch saves a storage once; the same non-empty key with another element size is forged.
            if old.byteCount != ref.byteCount || (old.byteCount > 0 && (old.element?.size ?? 1) != size) {
                throw fail("storage '\(key)' declared twice with different types or sizes")
            }
        } else {
            guard storages.count < limits.maxStorages else { throw fail("too many storages") }
            storages[key] = ref
        }
        return .storage(ref)
    }

    func ints(_ v: PickleValue, _ what: String) throws -> [Int] {
        guard case .tuple(let t) = v else { throw fail("tensor \(what) is a \(v.kindName), not a tuple") }
        guard t.items.count <= limits.maxDims else { throw fail("tensor has \(t.items.count) dimensions") }
        return try t.items.map {
            guard case .int(let i) = $0, i >= 0 else { throw fail("tensor \(what) holds a negative or non-integer value") }
            return i
        }
    }

    /// _rebuild_tensor(_v2/_v3) args → a view checked to lie inside its storage.
    func tensor(_ args: [PickleValue], dtype: PickleValue?) throws -> PickleValue {
        guard args.count >= 4, case .storage(let storage) = args[0] else {
            throw fail("tensor rebuild without a storage argument")
        }
        guard case .int(let offset) = args[1], offset >= 0 else { throw fail("tensor storage offset is negative or not an int") }
        let shape = try ints(args[2], "size"), strides = try ints(args[3], "stride")
        guard shape.count == strides.count else { throw fail("tensor size and stride differ in length") }
        let element: TorchElement
        let capacity: Int
        if let dtype {
            guard case .global(.dtype(let e)) = dtype else { throw fail("_rebuild_tensor_v3 dtype is a \(dtype.kindName)") }
            guard storage.element == nil || storage.element?.size == e.size else { throw fail("tensor dtype does not match its storage") }
            element = e
            capacity = storage.byteCount / e.size
        } else {
            guard let e = storage.element else { throw fail("untyped storage '\(storage.key)' used without a dtype") }
            element = e
            capacity = storage.numel
        }
        var count = 1
        var last = offset
        for (d, s) in zip(shape, strides) {
            let (c, o1) = count.multipliedReportingOverflow(by: d)
            guard !o1 else { throw fail("tensor element count overflows") }
            count = c
            if d > 0 {
                let (step, o2) = (d - 1).multipliedReportingOverflow(by: s)
                let (l, o3) = last.addingReportingOverflow(step)
                guard !o2, !o3 else { throw fail("tensor view extent overflows") }
                last = l
            }
        }
        // An empty view may sit at the very end of its storage, never past it.
        if count == 0, offset > capacity {
            throw fail("empty tensor view starts at element \(offset), past storage '\(storage.key)' of \(capacity) elements")
        }
        if count > 0, last >= capacity {
            throw fail("tensor view (offset \(offset), size \(shape), stride \(strides)) reaches element \(last), outside storage '\(storage.key)' of \(capacity) elements")
        }
        guard element.dtype != nil else { return .skippedTensor("dtype \(element.name)") }
        return .tensor(TensorView(storage: storage, element: element, storageOffset: offset, shape: shape, strides: strides))
    }

    static func bytesValue(_ b: ArraySlice<UInt8>) -> PickleValue {
        b.count <= 16 ? .shortBytes(Array(b)) : .bytes(b.count)
    }

    /// `numpy.core.multiarray.scalar(dtype, bytes)`: a numpy number (an accuracy computed with
    /// numpy) read as the plain number it holds; nil for kinds that are not numbers.
    func numpyScalar(_ args: [PickleValue]) -> PickleValue? {
        guard args.count == 2, case .object(let id) = args[0], case .shortBytes(let raw) = args[1] else { return nil }
        let dtype = arena.objects[id]
        guard dtype.type == "numpy.dtype", case .string(let code)? = dtype.args.first else { return nil }
        // BUILD state (version, byteorder, ...): '>' is big-endian; '<', '|', '=' (x86/ARM native) little.
        var big = false
        if case .tuple(let st)? = dtype.state, st.items.count > 1, case .string(">") = st.items[1] { big = true }
        let sizes: [String: Int] = ["f8": 8, "f4": 4, "f2": 2, "i8": 8, "i4": 4, "i2": 2, "i1": 1,
                                    "u8": 8, "u4": 4, "u2": 2, "u1": 1, "b1": 1]
        guard let size = sizes[code], raw.count == size else { return nil }
        let ordered = big ? Array(raw.reversed()) : raw
        let u = ordered.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        switch code {
        case "f8": return .float(Double(bitPattern: u))
        case "f4": return .float(Double(Float(bitPattern: UInt32(u))))
        case "f2": return .float(Double(Float(Float16(bitPattern: UInt16(u)))))
        case "b1": return .bool(u != 0)
        case "u8" where u > UInt64(Int.max): return .bigInt
        case _ where code.hasPrefix("u"): return .int(Int(u))
        default:
            let shift = UInt64(64 - 8 * size)   // sign-extend i1/i2/i4
            return .int(Int(Int64(bitPattern: u << shift) >> Int64(shift)))
        }
    }

    /// Interprets a call of a known global; a call of an unknown global or of an inert object's
    /// result (`getattr(obj, "m")(...)`) is another inert object. Never calls anything.
    mutating func call(_ callable: PickleValue, _ argsValue: PickleValue) throws -> PickleValue {
        guard case .tuple(let t) = argsValue else { throw fail("REDUCE/NEWOBJ arguments are a \(argsValue.kindName), not a tuple") }
        let args = t.items
        switch callable {
        case .global(let g): return try interpret(g, args)
        case .object(let id): return try newObject(arena.objects[id].type, args)
        default: throw refuse("REDUCE/NEWOBJ on a \(callable.kindName), not a global")
        }
    }

    mutating func interpret(_ g: PickleGlobal, _ args: [PickleValue]) throws -> PickleValue {
        switch g {
        case .rebuildTensor, .rebuildTensorV2:
            return try tensor(args, dtype: nil)
        case .rebuildTensorV3:
            guard args.count >= 7 else { throw fail("_rebuild_tensor_v3 with \(args.count) arguments") }
            return try tensor(args, dtype: args[6])
        case .rebuildParameter, .rebuildParameterWithState, .parameter:
            guard let data = args.first else { return .skippedTensor("empty Parameter") }
            switch data {
            case .tensor, .skippedTensor: return data
            default: throw fail("Parameter wraps a \(data.kindName), not a tensor")
            }
        case .rebuildFromTypeV2:
            // (func, type, args, state) meaning func(*args); func must itself be allowed.
            guard args.count >= 3, case .global(let f) = args[0], case .tuple(let inner) = args[2] else {
                throw fail("_rebuild_from_type_v2 with unexpected arguments")
            }
            guard case .global(let cls) = args[1], cls == .torchTensor || cls == .parameter else {
                throw refuse("_rebuild_from_type_v2 of a type other than torch.Tensor/Parameter")
            }
            if case .rebuildFromTypeV2 = f { throw fail("nested _rebuild_from_type_v2") }
            return try interpret(f, inner.items)
        case .unsupportedRebuild(let name): return .skippedTensor(name)
        case .torchSize:
            guard args.count == 1, case .tuple = args[0] else { throw fail("torch.Size with unexpected arguments") }
            return args[0]
        case .torchDevice: return .opaque("device")
        case .codecsEncode:
            // Protocol 2 writes bytes as _codecs.encode(str, "latin1"): code points 0-255 are the bytes.
            guard case .string(let s)? = args.first else { throw fail("_codecs.encode of a non-string") }
            let latin1 = s.unicodeScalars.count <= 16 && s.unicodeScalars.allSatisfy { $0.value <= 0xFF }
            if latin1, args.count == 2, case .string(let codec) = args[1], ["latin1", "latin-1", "iso-8859-1"].contains(codec.lowercased()) {
                return .shortBytes(s.unicodeScalars.map { UInt8($0.value) })
            }
            return .bytes(s.utf8.count)
        case .numpyDtype:
            // Kept inert (BUILD records its byte order) for numpy scalars to be read.
            return try newObject("numpy.dtype", args)
        case .numpyScalar:
            return numpyScalar(args) ?? .opaque("object")
        case .orderedDict, .defaultDict, .counter:
            // Items arrive through SETITEMS afterwards; constructor arguments (a default factory) are ignored.
            return try newDict()
        case .set, .frozenset:
            if case .list? = args.first { return args[0] }
            return try newList([])
        case .bytearray, .complex, .numpyReconstruct, .numpyNdarray, .getLayout, .builtinType:
            return .opaque("object")
        case .torchTensor: return .opaque("tensor subclass")
        case .dtype(let e): throw refuse("torch.\(e.name) is not callable")
        case .storageType: throw refuse("storage types may only appear in persistent ids")
        case .unknown(let name): return try newObject(name, args)
        }
    }
}

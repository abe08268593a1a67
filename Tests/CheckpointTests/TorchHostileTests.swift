import Foundation
import Testing
@testable import Checkpoint

/// Hostile and broken inputs: every one must end in a CheckpointError naming the file and
/// the problem, never in a crash, a hang, or anything being imported or run.
struct TorchHostileTests {
    // MARK: real files made by torch.save (scripts/gen_fixtures.py)

    @Test("an os.system __reduce__ payload beside the weights runs nothing, stays inert, and the weights are still read")
    func osSystemPayload() throws {
        // _Evil (scripts/gen_fixtures.py) would `touch /tmp/wwmon_owned` if anything called it.
        let marker = "/tmp/wwmon_owned"
        try? FileManager.default.removeItem(atPath: marker)
        let c = try TorchCheckpoint.open(Fixtures.path("hostile/os_system.pt"))
        #expect(c.tensors.map(\.name) == ["fc.weight"])
        #expect(c.tensors[0].shape == [16, 16])
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("an os.system payload as the whole pickle is an inert object named in the error, and nothing runs")
    func osSystemRoot() throws {
        let marker = "/tmp/wwmon_owned_root"
        try? FileManager.default.removeItem(atPath: marker)
        // os.system("touch /tmp/wwmon_owned_root") as the root value.
        let pickle = P.proto + P.global("posix", "system") + P.str("touch \(marker)") + [0x85] + P.reduce + P.stop
        switch try open(pickle) {
        case .success(let c): Issue.record("read as a checkpoint: \(c.tensors.map(\.name))")
        case .failure(let e):
            guard case .noWeights = e else { Issue.record("\(e)"); break }
            #expect(e.description.contains("posix.system object"), "\(e.description)")
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("a __reduce__ class calling builtins.eval stays inert and the weights beside it are read")
    func evalPayload() throws {
        let c = try TorchCheckpoint.open(Fixtures.path("hostile/reduce_eval.pt"))
        #expect(c.tensors.map(\.name) == ["fc.weight"])
    }

    @Test("an argparse.Namespace beside the weights is an inert value: the dict is read, its fields are data")
    func namespaceObject() throws {
        let c = try TorchCheckpoint.open(Fixtures.path("hostile/namespace_object.pt"))
        #expect(c.tensors.map(\.name) == ["fc.weight"])
        // The Namespace's state is kept as data (never a live object): its lr is in the arena.
        let file = try ArchiveFile(path: Fixtures.path("hostile/namespace_object.pt"))
        let pickle = try TorchArchive(file: file).pickle
        guard case .dict(let root) = pickle.root, case .object(let id)? = pickle.arena.dicts[root]["args"] else {
            Issue.record("args is not an inert object"); return
        }
        let ns = pickle.arena.objects[id]
        #expect(ns.type == "argparse.Namespace")
        guard case .dict(let state)? = ns.state, case .float(let lr)? = pickle.arena.dicts[state]["lr"] else {
            Issue.record("Namespace state not kept"); return
        }
        #expect(lr == 0.1)
    }

    @Test("a whole pickled nn.Module under 'model' is refused with advice, never rebuilt (not skipped as 'no weights')")
    func wholeModule() {
        expectRefusal(Fixtures.path("hostile/whole_module.pt"), "'model' holds a whole torch.nn.modules.linear.Linear module")
    }

    @Test("unknown classes: NEWOBJ + BUILD, dict-subclass SETITEMS, list-subclass APPENDS and a call of an inert result all stay data")
    func inertShapes() throws {
        let w = P.tensor(numel: 6, size: [2, 3], stride: [3, 1])
        // {"w": tensor, "cfg": Cfg.__new__(Cfg) + BUILD {"a": 1}, "ad": AttributeDict() + SETITEMS,
        //  "lst": MyList() + APPENDS, "fn": getattr(Cfg, "x")(1)}
        let cfg = P.global("mymod", "Cfg") + P.emptyTuple + [0x81] + P.emptyDict + P.str("a") + P.int(1) + P.setitem + [0x62]
        let ad = P.global("lightning.fabric.utilities.data", "AttributeDict") + P.emptyTuple + [0x81]
            + P.mark + P.str("lr") + P.int(3) + [0x75]
        let lst = P.global("mymod", "MyList") + P.emptyTuple + [0x81] + P.mark + P.int(1) + P.int(2) + [0x65]
        let called = P.global("builtins", "getattr") + P.mark + P.global("mymod", "Cfg") + P.str("x") + P.tuple + P.reduce
            + P.mark + P.int(1) + P.tuple + P.reduce
        let pickle = P.proto + P.emptyDict + P.mark + P.str("model") + P.emptyDict + P.str("w") + w + P.setitem
            + P.str("cfg") + cfg + P.str("ad") + ad + P.str("lst") + lst + P.str("fn") + called + [0x75] + P.stop
        let c = try open(pickle).get()
        #expect(c.tensors.map(\.name) == ["w"])
    }

    @Test("a half-written torch.save file (no central directory yet) is reported incomplete")
    func halfWritten() {
        expectRefusal(Fixtures.path("hostile/half_written.pt"), "incomplete or truncated zip")
    }

    @Test("every truncation of a real checkpoint is refused cleanly", arguments: [0, 1, 4, 21, 22, 100, 1000, 5000])
    func truncations(cut: Int) throws {
        let full = try Fixtures.bytes("tied_embeddings.pt")
        let p = try Fixtures.temp(Array(full.dropLast(cut == 0 ? full.count : cut)))
        defer { try? FileManager.default.removeItem(atPath: p) }
        #expect(throws: CheckpointError.self) { try TorchCheckpoint.open(p) }
    }

    // MARK: crafted archives

    /// Opens a crafted archive; `check` runs while the temp file still exists.
    func open(_ pickle: [UInt8], storages: [(String, [UInt8])] = [("0", floats([1, 2, 3, 4, 5, 6]))],
              zip64: Bool = false, check: (CheckpointContents) throws -> Void = { _ in }) throws -> Result<CheckpointContents, CheckpointError> {
        let p = try Fixtures.temp(ZipBuilder.torch(pickle: pickle, storages: storages, zip64: zip64))
        defer { try? FileManager.default.removeItem(atPath: p) }
        do {
            let c = try TorchCheckpoint.open(p)
            try check(c)
            return .success(c)
        } catch let e as CheckpointError { return .failure(e) }
    }

    func refused(_ pickle: [UInt8], _ fragment: String, storages: [(String, [UInt8])] = [("0", floats([1, 2, 3, 4, 5, 6]))],
                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        switch try open(pickle, storages: storages) {
        case .success(let c): Issue.record("accepted: \(c.tensors.map(\.name))", sourceLocation: sourceLocation)
        case .failure(let e): #expect(e.description.contains(fragment), "\(e.description)", sourceLocation: sourceLocation)
        }
    }

    @Test("the hand-built baseline archive reads (so the refusals below are about their one change)")
    func baseline() throws {
        let c = try open(P.stateDict([("w.weight", P.tensor(numel: 6, size: [2, 3], stride: [3, 1]))])) {
            let v = try RefValues.read($0.tensors[0]); #expect(v == [1, 2, 3, 4, 5, 6])
        }.get()
        #expect(c.tensors.map(\.name) == ["w.weight"])
    }

    @Test("zip64 records and extras (as torch writes for multi-GB files) are followed")
    func zip64() throws {
        let c = try open(P.stateDict([("w.weight", P.tensor(numel: 6, size: [3, 2], stride: [1, 3]))]), zip64: true) {
            let v = try RefValues.read($0.tensors[0]); #expect(v == [1, 4, 2, 5, 3, 6])
        }.get()
        #expect(c.tensors[0].strides == [1, 3])
    }

    @Test("a view reaching outside its storage is refused")
    func viewOutsideStorage() throws {
        try refused(P.stateDict([("w", P.tensor(numel: 6, offset: 1, size: [2, 3], stride: [3, 1]))]), "outside storage")
        try refused(P.stateDict([("w", P.tensor(numel: 6, size: [2, 3], stride: [4, 1]))]), "outside storage")
        try refused(P.stateDict([("w", P.tensor(numel: 6, size: [Int(Int32.max), Int(Int32.max), 4], stride: [Int(Int32.max), 2, 1]))]), "overflow")
        // An empty view with a huge storage offset (a LONG1 of Int.max) must not reach offset arithmetic.
        let emptyFar = P.global("torch._utils", "_rebuild_tensor_v2") + P.mark
            + P.mark + P.str("storage") + P.global("torch", "FloatStorage") + P.str("0") + P.str("cpu") + P.int(6) + P.tuple + P.binpersid
            + [0x8a, 0x08] + ZipBuilder.le(Int64.max) + P.ints([0]) + P.ints([1]) + P.newFalse
            + P.global("collections", "OrderedDict") + P.emptyTuple + P.reduce + P.tuple + P.reduce
        try refused(P.stateDict([("w", emptyFar)]), "empty tensor view starts at element")
    }

    @Test("a storage size that disagrees with its zip entry (huge claimed numel) is refused")
    func hugeClaimedSize() throws {
        try refused(P.stateDict([("w", P.tensor(numel: Int(Int32.max), size: [2, 3], stride: [3, 1]))]), "holds 24 bytes, the pickle says")
        try refused(P.stateDict([("w", P.tensor(key: "7", numel: 6, size: [2, 3], stride: [3, 1]))]), "no 'archive/data/7' entry")
    }

    @Test("a string length past the end of the pickle is refused")
    func hugeString() throws {
        try refused(P.proto + [0x58, 0xff, 0xff, 0xff, 0x7f, 0x41] + P.stop, "runs past the end")
        try refused(P.proto + [0x8d] + ZipBuilder.le(UInt64.max) + P.stop, "runs past the end")
    }

    @Test("deeply nested tuples are refused at a fixed depth, not by exhausting the stack")
    func deepNesting() throws {
        try refused(P.proto + [UInt8](repeating: 0x29, count: 1) + [UInt8](repeating: 0x85, count: 100_000) + P.stop, "nested deeper")
        // A deep MARK chain.
        try refused(P.proto + [UInt8](repeating: 0x28, count: 200_000) + P.stop, "MARKs nested deeper")
    }

    @Test("memo abuse: reading an unset memo slot, and a list appended into itself, end in errors")
    func memoAbuse() throws {
        try refused(P.proto + [0x68, 0x05] + P.stop, "memo index 5 read before it was stored")
        try refused(P.proto + [0x6a] + ZipBuilder.le(UInt32.max) + P.stop, "read before it was stored")
        // l = []; l.append(l) then use the list as the root: a cycle, no tensors.
        try refused(P.proto + [0x5d, 0x71, 0x00, 0x68, 0x00, 0x61] + P.stop, "not a dict of tensors")
        // A dict containing itself via the memo, repeated: still just "no weights".
        let selfDict = P.proto + [0x7d, 0x71, 0x00] + P.str("a") + [0x68, 0x00, 0x73] + P.stop
        try refused(selfDict, "no model weights found")
    }

    @Test("opcodes outside the allow-list are refused by name", arguments: [
        ([0x69] + Array("os\nsystem\n".utf8), "INST"),
        ([0x6f], "OBJ"),
        ([0x82, 0x01], "EXT"),
        ([0x97], "out-of-band"),
        ([0x49] + Array("1\n".utf8), "INT (protocol 0)"),
        ([0xff], "unknown pickle opcode 0xff"),
    ] as [([UInt8], String)])
    func refusedOpcodes(op: [UInt8], name: String) throws {
        try refused(P.proto + P.mark + op + P.stop, name)
    }

    @Test("protocol 6 is refused")
    func protocolSix() throws { try refused([0x80, 0x06] + P.emptyDict + P.stop, "protocol 6") }

    @Test("STACK_GLOBAL of an unknown global gives an inert value, named in the error, never imported")
    func stackGlobal() throws {
        try refused([0x80, 0x04] + [0x8c, 0x02] + Array("os".utf8) + [0x8c, 0x06] + Array("system".utf8) + [0x93] + P.stop,
                    "the global 'os.system'")
    }

    @Test("persistent ids other than storages are refused")
    func persistentIds() throws {
        try refused(P.proto + P.str("evil") + P.binpersid + P.stop, "persistent id is not a ('storage'")
        let wrongType = P.mark + P.str("storage") + P.global("collections", "OrderedDict") + P.str("0") + P.str("cpu") + P.int(6) + P.tuple + P.binpersid
        try refused(P.proto + wrongType + P.stop, "not a storage type")
    }

    @Test("SETITEM on a non-dict, APPEND on a non-list, BUILD on a tuple are refused")
    func typeConfusion() throws {
        try refused(P.proto + [0x5d] + P.str("k") + P.str("v") + P.setitem + P.stop, "SETITEM(S) on a list")
        try refused(P.proto + P.emptyDict + P.str("v") + [0x61] + P.stop, "APPEND(S) on a dict")
        try refused(P.proto + P.emptyTuple + P.emptyDict + [0x62] + P.stop, "BUILD on a tuple")
    }

    @Test("REDUCE of an allowed non-callable (a dtype) and a storage type outside a persistent id are refused")
    func misuse() throws {
        try refused(P.proto + P.global("torch", "float32") + P.emptyTuple + P.reduce + P.stop, "not callable")
        try refused(P.proto + P.global("torch", "FloatStorage") + P.emptyTuple + P.reduce + P.stop, "only appear in persistent ids")
    }

    @Test("a storage key declared twice with different sizes is refused")
    func conflictingStorage() throws {
        try refused(P.stateDict([("a", P.tensor(numel: 6, size: [6], stride: [1])),
                                 ("b", P.tensor(numel: 3, size: [3], stride: [1], storage: "DoubleStorage"))]), "declared twice")
    }

    @Test("a pickle cut short (no STOP) is refused")
    func noStop() throws { try refused(P.proto + P.emptyDict, "without STOP") }

    @Test("a compressed (deflated) data.pkl or storage is refused clearly")
    func compressedEntry() throws {
        var z = ZipBuilder()
        z.method = 8
        z.entries = [("archive/data.pkl", P.stateDict([]))]
        let p = try Fixtures.temp(z.build())
        defer { try? FileManager.default.removeItem(atPath: p) }
        expectRefusal(p, "is compressed")
    }

    @Test("not a zip, a legacy torch file, and a TorchScript archive are each named as such")
    func wrongKinds() throws {
        let notZip = try Fixtures.temp(Array("hello world, not a checkpoint".utf8))
        let legacy = try Fixtures.temp(TorchArchive.legacyMagic + [0, 0, 0])
        var ts = ZipBuilder()
        ts.entries = [("m/data.pkl", P.stateDict([])), ("m/constants.pkl", P.stateDict([]))]
        let script = try Fixtures.temp(ts.build())
        defer { for p in [notZip, legacy, script] { try? FileManager.default.removeItem(atPath: p) } }
        expectRefusal(notZip, "not a torch.save zip")
        expectRefusal(legacy, "legacy (pre-1.6")
        expectRefusal(script, "TorchScript")
    }

    @Test("missing files and directories without checkpoints get errors naming them")
    func missing() throws {
        expectRefusal("/nonexistent/wwmon/x.pt", "no such file or directory")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wwmon-empty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        expectRefusal(dir, "directory holds no checkpoint files")
    }
}

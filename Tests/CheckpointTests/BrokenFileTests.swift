import Foundation
import Testing
@testable import Checkpoint

/// A corpus of malformed safetensors files: each must give a CheckpointError whose description
/// names the file and the problem — never a crash, never a silent success.
@Suite struct BrokenFileTests {
    static let w: [UInt8] = f32Bytes([1, 2, 3, 4, 5, 6])  // 24 bytes
    static func entry(_ name: String, _ dtype: String = "F32", _ shape: String = "[2,3]", _ b: Int = 0, _ e: Int = 24) -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(b),\(e)]}"
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        /// Text the description must contain, after "<path>: ".
        var expect: String
        var testDescription: String { name }
    }

    static let valid = SafetensorsWriter.raw(header: "{" + entry("w") + "}", data: w)

    static let corpus: [Case] = [
        Case(name: "empty file", bytes: [], expect: "truncated: file has 0 bytes, fewer than the 8-byte header length"),
        Case(name: "5 bytes", bytes: [1, 2, 3, 4, 5], expect: "truncated: file has 5 bytes"),
        Case(name: "header length huge", bytes: leBytes(UInt64.max) + Array("{}".utf8),
             expect: "invalid header: header length 18446744073709551615 exceeds the limit of 100000000 bytes"),
        Case(name: "header length just over the cap", bytes: leBytes(UInt64(100_000_001)) + Array("{}".utf8),
             expect: "exceeds the limit of 100000000 bytes"),
        Case(name: "header length beyond file", bytes: leBytes(UInt64(4096)) + Array("{}".utf8),
             expect: "truncated: header says its JSON is 4096 bytes, but the file has only 10 bytes in all"),
        Case(name: "bad JSON", bytes: SafetensorsWriter.raw(header: "{\"w\":{\"dtype\":\"F32\",", data: w),
             expect: "invalid header: JSON error at byte"),
        Case(name: "not JSON at all", bytes: SafetensorsWriter.raw(header: "hello world", data: []),
             expect: "invalid header: JSON error at byte 0 of the header: unexpected character 'h', expected a value"),
        Case(name: "top level array", bytes: SafetensorsWriter.raw(header: "[1,2]", data: []),
             expect: "invalid header: header is an array, expected a JSON object"),
        Case(name: "non-UTF-8 name", bytes: SafetensorsWriter.raw(headerBytes: Array("{\"".utf8) + [0xff, 0xfe] + Array("\":1}   ".utf8), data: []),
             expect: "string is not valid UTF-8"),
        Case(name: "NUL padding", bytes: SafetensorsWriter.raw(headerBytes: Array("{}".utf8) + [0, 0, 0, 0, 0, 0], data: []),
             expect: "unexpected byte 0x0 after the JSON value"),
        Case(name: "overlapping offsets", bytes: SafetensorsWriter.raw(header: "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[4]", 4, 20) + "}", data: w.prefix(20).map { $0 }),
             expect: "invalid tensor \"b\": data_offsets [4, 20] overlaps the previous tensor: after tensor \"a\" ends at 8"),
        Case(name: "gap between tensors", bytes: SafetensorsWriter.raw(header: "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[3]", 12, 24) + "}", data: w),
             expect: "invalid tensor \"b\": data_offsets [12, 24] leaves a gap: after tensor \"a\" ends at 8"),
        Case(name: "first tensor not at 0", bytes: SafetensorsWriter.raw(header: "{" + entry("a", "F32", "[5]", 4, 24) + "}", data: w),
             expect: "leaves a gap: the data section starts at 0"),
        Case(name: "END past the data", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "F32", "[2,3]", 0, 24) + "}", data: Array(w.prefix(10))),
             expect: "truncated: header says 24 bytes of data, file has 10"),
        Case(name: "END before BEGIN", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "F32", "[0]", 24, 0) + "}", data: w),
             expect: "invalid tensor \"w\": data_offsets [24, 0] end before they begin"),
        Case(name: "byte count wrong for shape", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "F32", "[2,2]") + "}", data: w),
             expect: "invalid tensor \"w\": shape [2, 2] of F32 needs 16 bytes, data_offsets [0, 24] hold 24"),
        Case(name: "negative shape", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "F32", "[-2,-3]") + "}", data: w),
             expect: "invalid tensor \"w\": shape entry the number -2 is not a non-negative integer"),
        Case(name: "fractional shape", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "F32", "[2.5,3]") + "}", data: w),
             expect: "shape entry the number 2.5 is not a non-negative integer"),
        Case(name: "absurd shape (overflow)", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "F32", "[4294967296,4294967296]") + "}", data: w),
             expect: "invalid tensor \"w\": element count of shape"),
        Case(name: "absurd shape (bytes overflow)", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "F64", "[9223372036854775807]") + "}", data: w),
             expect: "invalid tensor \"w\": byte count of shape [9223372036854775807] overflows"),
        Case(name: "huge but consistent shape beyond file", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "U8", "[1000000000000]", 0, 1_000_000_000_000) + "}", data: w),
             expect: "truncated: header says 1000000000000 bytes of data, file has 24"),
        Case(name: "offset beyond 64 bits", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "F32", "[2,3]", 0, 0).replacingOccurrences(of: "[0,0]", with: "[0,18446744073709551616]") + "}", data: w),
             expect: "data_offsets must be an array of two non-negative integers"),
        Case(name: "duplicate tensor name", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "F32", "[3]", 0, 12) + "," + entry("w", "F32", "[3]", 12, 24) + "}", data: w),
             expect: "duplicate key \"w\""),
        Case(name: "duplicate via escape", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "F32", "[3]", 0, 12) + "," + entry("\\u0077", "F32", "[3]", 12, 24) + "}", data: w),
             expect: "duplicate key \"w\""),
        Case(name: "metadata value not a string", bytes: SafetensorsWriter.raw(header: "{\"__metadata__\":{\"step\":100}," + entry("w") + "}", data: w),
             expect: "invalid header: __metadata__ value for \"step\" is the number 100, expected a string"),
        Case(name: "metadata not an object", bytes: SafetensorsWriter.raw(header: "{\"__metadata__\":\"x\"," + entry("w") + "}", data: w),
             expect: "__metadata__ is a string, expected an object of strings"),
        Case(name: "unknown dtype", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "F33") + "}", data: w),
             expect: "tensor \"w\" has unsupported dtype \"F33\""),
        Case(name: "known but unread dtype", bytes: SafetensorsWriter.raw(header: "{" + entry("w", "C64", "[3]") + "}", data: w),
             expect: "tensor \"w\" has unsupported dtype \"C64\""),
        Case(name: "missing dtype", bytes: SafetensorsWriter.raw(header: "{\"w\":{\"shape\":[6],\"data_offsets\":[0,24]}}", data: w),
             expect: "invalid tensor \"w\": missing \"dtype\""),
        Case(name: "entry not an object", bytes: SafetensorsWriter.raw(header: "{\"w\":[1,2]}", data: w),
             expect: "invalid tensor \"w\": entry is an array, expected an object"),
        Case(name: "trailing bytes", bytes: valid + [0, 0, 0, 0],
             expect: "trailing bytes: header accounts for \(valid.count) bytes, file has \(valid.count + 4)"),
        Case(name: "deep nesting", bytes: SafetensorsWriter.raw(header: String(repeating: "[", count: 10_000), data: []),
             expect: "nesting deeper than 64 levels"),
        Case(name: "lone surrogate", bytes: SafetensorsWriter.raw(header: "{\"\\ud800\":1}", data: []),
             expect: "unpaired surrogate"),
        Case(name: "too long name", bytes: SafetensorsWriter.raw(header: "{" + entry(String(repeating: "n", count: 20_000)) + "}", data: w),
             expect: "name is 20000 bytes long, limit 16384"),
    ]

    /// Each broken file fails with a description "<path>: <problem>" naming the exact problem,
    /// both from CheckpointReader.open and from Completeness (which reports it as incomplete).
    @Test(arguments: corpus)
    func brokenFileGivesClearError(_ c: Case) throws {
        let tmp = try TempDir()
        let path = try tmp.write("broken.safetensors", c.bytes)
        let e = try #require(checkpointError { _ = try CheckpointReader.open(path) }, "\(c.name) must fail")
        #expect(e.path == path)
        #expect(e.description.hasPrefix(path + ": "))
        #expect(e.description.contains(c.expect), "\(c.name): got \(e.description)")
        #expect(try Completeness.status(path) == .incomplete(e))
    }

    /// The valid file the corpus is built around reads, and whitespace before the opening brace
    /// (accepted by safetensors since 2026-04) and unknown entry fields are accepted.
    @Test func corpusBaselineAndTolerances() throws {
        let tmp = try TempDir()
        let path = try tmp.write("ok.safetensors", Self.valid)
        #expect(try TensorReader().readFloat64(CheckpointReader.open(path).tensors[0]) == [1, 2, 3, 4, 5, 6])
        let padded = try tmp.write("padded.safetensors",
            SafetensorsWriter.raw(header: "        {\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24],\"extra\":{\"x\":[null,true]}}}", data: Self.w))
        #expect(try CheckpointReader.open(padded).tensors.map(\.shape) == [[2, 3]])
        // Zero-element and scalar tensors are valid.
        let odd = try tmp.write("odd.safetensors", SafetensorsWriter.raw(header: "{" + Self.entry("e", "F32", "[0,5]", 0, 0) + "," + Self.entry("s", "F32", "[]", 0, 4) + "}", data: f32Bytes([7])))
        let c = try CheckpointReader.open(odd)
        #expect(try TensorReader().readFloat64(c.tensors[0]) == [])
        #expect(try TensorReader().readFloat64(c.tensors[1]) == [7])
    }

    /// Every truncation point of a real reference file (each of the first 300 bytes, then every
    /// 997th) fails with a truncated/invalid-header error naming the file; Completeness is false.
    @Test func everyTruncationOfReferenceFileFailsCleanly() throws {
        let full = try readBytes(TestPaths.casePath("d_conv2d_64x32x3x3"))
        let tmp = try TempDir()
        let path = tmp.file("cut.safetensors")
        var cuts = Array(0..<300) + Array(stride(from: 300, to: full.count, by: 997)) + [full.count - 1]
        cuts = Array(Set(cuts)).sorted()
        for cut in cuts {
            try Data(full.prefix(cut)).write(to: URL(fileURLWithPath: path))
            let e = checkpointError { _ = try CheckpointReader.open(path) }
            #expect(e?.path == path, "cut at \(cut)")
            #expect(e?.description.contains("truncated") == true || e?.description.contains("invalid header") == true,
                    "cut at \(cut): \(e?.description ?? "no error")")
            #expect(try Completeness.check(path) == false)
        }
        try Data(full).write(to: URL(fileURLWithPath: path))
        #expect(try Completeness.check(path))
    }

    /// Files that are not safetensors and do not claim to be get "unsupported format" with what
    /// they look like; the zip / npy / legacy torch magics are recognised for the other readers.
    @Test func otherFormatsAreSniffedAndReportedUnsupported() throws {
        let tmp = try TempDir()
        let text = try tmp.write("notes.txt", Array("hello, world".utf8))
        #expect(checkpointError { _ = try CheckpointReader.open(text) }
            == .unsupportedFormat(path: text, detail: "not a recognised checkpoint format (12 bytes, first bytes: 68 65 6c 6c 6f 2c 20 77)"))
        #expect(throws: CheckpointError.self) { try Completeness.check(text) }
        #expect(CheckpointReader.sniff([0x50, 0x4b, 0x03, 0x04, 0, 0], fileSize: 6) == .zip)
        #expect(CheckpointReader.sniff(Array("\u{93}NUMPY".unicodeScalars.map { UInt8($0.value) }) + [1, 0], fileSize: 8) == .npy)
        #expect(CheckpointReader.sniff([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19], fileSize: 100) == .torchLegacy)
        #expect(CheckpointReader.sniff(Array(Self.valid.prefix(16)), fileSize: UInt64(Self.valid.count)) == .safetensors)
        let zip = try tmp.write("model.pt", [0x50, 0x4b, 0x03, 0x04] + [UInt8](repeating: 0, count: 40))
        // Zips go to the torch / npz readers (h-torch); this one has no central directory.
        #expect(checkpointError { _ = try CheckpointReader.open(zip) }?.description.contains("incomplete or truncated zip") == true)
    }
}

import Foundation

/// Test-only reader for the reference `weights.npz` files (np.savez_compressed: a zip of DEFLATE-
/// compressed .npy entries), giving an independent source of truth for the safetensors values.
///
/// Hand-written (zip central directory + RFC 1951 inflate + .npy header) because Foundation on
/// Linux exposes no decompression API and the package has no zlib binding; it is a test helper,
/// kept out of the product on purpose (the product's npz reader belongs to another module).
enum NpzTestReader {
    struct NpyArray {
        var descr: String
        var shape: [Int]
        var payload: [UInt8]
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Every entry of the archive, keyed by its name without the ".npy" suffix.
    static func read(_ path: String) throws -> [String: NpyArray] {
        let zip = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        func u16(_ o: Int) -> Int { Int(zip[o]) | Int(zip[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        guard let eocd = stride(from: zip.count - 22, through: max(0, zip.count - 65_557), by: -1)
            .first(where: { u32($0) == 0x0605_4b50 }) else { throw Failure(description: "\(path): no zip EOCD") }
        var p = u32(eocd + 16)
        var result: [String: NpyArray] = [:]
        for _ in 0..<u16(eocd + 10) {
            guard u32(p) == 0x0201_4b50 else { throw Failure(description: "\(path): bad central directory") }
            let method = u16(p + 10), compressed = u32(p + 20)
            let nameLen = u16(p + 28), extraLen = u16(p + 30), commentLen = u16(p + 32)
            let local = u32(p + 42)
            let name = String(decoding: zip[(p + 46)..<(p + 46 + nameLen)], as: UTF8.self)
            p += 46 + nameLen + extraLen + commentLen
            let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
            let raw = Array(zip[dataStart..<(dataStart + compressed)])
            let npy: [UInt8]
            switch method {
            case 0: npy = raw
            case 8: npy = try Inflater.inflate(raw)
            default: throw Failure(description: "\(path): \(name) uses zip method \(method)")
            }
            result[name.hasSuffix(".npy") ? String(name.dropLast(4)) : name] = try parseNpy(npy)
        }
        return result
    }

    static func parseNpy(_ b: [UInt8]) throws -> NpyArray {
        guard b.starts(with: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]) else { throw Failure(description: "not npy") }
        let major = b[6]
        let headerLen = major == 1 ? Int(b[8]) | Int(b[9]) << 8
            : Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24
        let start = major == 1 ? 10 : 12
        let header = String(decoding: b[start..<(start + headerLen)], as: UTF8.self)
        func field(_ key: String, open: Character, close: Character) -> String {
            let after = header.range(of: "'\(key)':")!.upperBound
            let s = header[after...].firstIndex(of: open)!
            let e = header[header.index(after: s)...].firstIndex(of: close)!
            return String(header[header.index(after: s)..<e])
        }
        let descr = field("descr", open: "'", close: "'")
        guard header.contains("'fortran_order': False") else { throw Failure(description: "fortran order") }
        let shape = field("shape", open: "(", close: ")").split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return NpyArray(descr: descr, shape: shape, payload: Array(b[(start + headerLen)...]))
    }

    /// RFC 1951 decoder in the canonical-Huffman counting style (decode one bit at a time,
    /// comparing against the first code of each length).
    struct Inflater {
        private let input: [UInt8]
        private var pos = 0
        private var bitBuffer: UInt64 = 0
        private var bitCount = 0
        private var out: [UInt8] = []

        struct Huffman {
            var counts = [Int](repeating: 0, count: 16)
            var symbols: [Int] = []
            init(_ lengths: [Int]) {
                for l in lengths { counts[l] += 1 }
                counts[0] = 0
                var offsets = [Int](repeating: 0, count: 16)
                for l in 1..<15 { offsets[l + 1] = offsets[l] + counts[l] }
                symbols = [Int](repeating: 0, count: lengths.count)
                for (sym, l) in lengths.enumerated() where l != 0 {
                    symbols[offsets[l]] = sym
                    offsets[l] += 1
                }
            }
        }

        static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        static let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
        static let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

        static func inflate(_ data: [UInt8]) throws -> [UInt8] {
            var s = Inflater(input: data)
            var last = false
            while !last {
                last = try s.bits(1) == 1
                switch try s.bits(2) {
                case 0: try s.stored()
                case 1:
                    let lit = Huffman((0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 })
                    try s.codes(lit, Huffman([Int](repeating: 5, count: 30)))
                case 2: try s.dynamic()
                default: throw Failure(description: "invalid deflate block type")
                }
            }
            return s.out
        }

        private init(input: [UInt8]) { self.input = input }

        private mutating func bits(_ n: Int) throws -> Int {
            while bitCount < n {
                guard pos < input.count else { throw Failure(description: "deflate stream ends early") }
                bitBuffer |= UInt64(input[pos]) << UInt64(bitCount)
                pos += 1
                bitCount += 8
            }
            let v = Int(bitBuffer & ((1 << UInt64(n)) - 1))
            bitBuffer >>= UInt64(n)
            bitCount -= n
            return v
        }

        private mutating func stored() throws {
            bitBuffer = 0; bitCount = 0  // skip to the byte boundary
            guard pos + 4 <= input.count else { throw Failure(description: "stored block header cut") }
            let len = Int(input[pos]) | Int(input[pos + 1]) << 8
            pos += 4
            guard pos + len <= input.count else { throw Failure(description: "stored block cut") }
            out += input[pos..<(pos + len)]
            pos += len
        }

        private mutating func decode(_ h: Huffman) throws -> Int {
            var code = 0, first = 0, index = 0
            for len in 1...15 {
                code |= try bits(1)
                let count = h.counts[len]
                if code - first < count { return h.symbols[index + code - first] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw Failure(description: "invalid Huffman code")
        }

        private mutating func codes(_ lit: Huffman, _ dist: Huffman) throws {
            while true {
                let sym = try decode(lit)
                if sym < 256 { out.append(UInt8(sym)); continue }
                if sym == 256 { return }
                let li = sym - 257
                guard li < 29 else { throw Failure(description: "bad length symbol") }
                let length = Self.lengthBase[li] + (try bits(Self.lengthExtra[li]))
                let di = try decode(dist)
                guard di < 30 else { throw Failure(description: "bad distance symbol") }
                let distance = Self.distBase[di] + (try bits(Self.distExtra[di]))
                guard distance <= out.count else { throw Failure(description: "distance too far back") }
                let from = out.count - distance
                for k in 0..<length { out.append(out[from + k]) }
            }
        }

        private mutating func dynamic() throws {
            let nlen = try bits(5) + 257, ndist = try bits(5) + 1, ncode = try bits(4) + 4
            let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
            var codeLengths = [Int](repeating: 0, count: 19)
            for i in 0..<ncode { codeLengths[order[i]] = try bits(3) }
            let lencode = Huffman(codeLengths)
            var lengths: [Int] = []
            while lengths.count < nlen + ndist {
                let sym = try decode(lencode)
                switch sym {
                case 0..<16: lengths.append(sym)
                case 16:
                    guard let prev = lengths.last else { throw Failure(description: "repeat with no previous length") }
                    lengths += [Int](repeating: prev, count: 3 + (try bits(2)))
                case 17: lengths += [Int](repeating: 0, count: 3 + (try bits(3)))
                default: lengths += [Int](repeating: 0, count: 11 + (try bits(7)))
                }
            }
            guard lengths.count == nlen + ndist else { throw Failure(description: "too many code lengths") }
            try codes(Huffman(Array(lengths[0..<nlen])), Huffman(Array(lengths[nlen...])))
        }
    }
}

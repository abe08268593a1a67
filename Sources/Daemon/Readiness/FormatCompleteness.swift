import Foundation

/// Whether a checkpoint's bytes are whole by its format's own rules (formats.md §4.2).
/// `FormatCheck` below is a cheap byte-level first pass (headers and trailers of each file, so
/// a folder's half-written shard is caught without opening the whole checkpoint); a candidate
/// that passes it is then opened by `Checkpoint.Completeness` (every header, pickle and size),
/// which is the authority. See `CheckpointCandidate.completeness()`.
public enum FormatState: Sendable, Equatable {
    case whole
    /// Not whole yet (still being written, or truncated for good): the reason names the file.
    case incomplete(String)
    /// A file vanished while being checked (rotation).
    case gone
}

enum FormatCheck {
    /// Checks one weight or index file by its name and first bytes.
    static func file(_ path: String) -> FormatState {
        guard let fh = FileHandle(forReadingAtPath: path) else {
            return FileManager.default.fileExists(atPath: path) ? .incomplete("\(path): cannot be opened") : .gone
        }
        defer { try? fh.close() }
        guard let size = try? fh.seekToEnd() else { return .incomplete("\(path): cannot be sized") }
        let name = lastPathComponent(path).lowercased()
        if name.hasSuffix(".index.json") { return shardIndex(path) }
        let head = read(fh, at: 0, count: 8)
        if head.count < 8 { return .incomplete("\(path): only \(size) bytes") }
        if name.hasSuffix(".safetensors") { return safetensors(path, fh, size: size) }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return zip(path, fh, size: size) }
        if head.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) { return npy(path, fh, size: size) }
        if name.hasSuffix(".npz") { return .incomplete("\(path): not a zip archive (no PK header)") }
        // Legacy torch pickles and unknown formats end only where their parser says; the settle
        // time and the unchanged-after-read check are what guard them.
        return .whole
    }

    static func read(_ fh: FileHandle, at offset: UInt64, count: Int) -> [UInt8] {
        guard (try? fh.seek(toOffset: offset)) != nil, let d = try? fh.read(upToCount: count) else { return [] }
        return [UInt8](d)
    }

    static func le<T: FixedWidthInteger>(_ bytes: [UInt8], _ at: Int, _: T.Type) -> T {
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v |= T(bytes[at + i]) << (8 * i) }
        return v
    }

    /// safetensors: 8-byte header length, JSON header, data; the file ends exactly at the last tensor.
    static func safetensors(_ path: String, _ fh: FileHandle, size: UInt64) -> FormatState {
        let n = le(read(fh, at: 0, count: 8), 0, UInt64.self)
        guard n >= 2, n <= 100_000_000, 8 + n <= size else {
            return .incomplete("\(path): safetensors header length \(n) does not fit the \(size)-byte file")
        }
        let header = Data(read(fh, at: 8, count: Int(n)))
        guard header.count == Int(n),
              let obj = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            return .incomplete("\(path): safetensors header is not a JSON object")
        }
        var end: UInt64 = 0
        for (key, value) in obj where key != "__metadata__" {
            guard let t = value as? [String: Any], let offs = t["data_offsets"] as? [NSNumber], offs.count == 2 else {
                return .incomplete("\(path): safetensors entry \"\(key)\" has no data_offsets")
            }
            end = max(end, offs[1].uint64Value)
        }
        let expected = 8 + n + end
        guard expected == size else {
            return .incomplete("\(path): safetensors header says \(expected) bytes, file has \(size)")
        }
        return .whole
    }

    /// Zip (torch.save, .npz): the end-of-central-directory record is there and the central
    /// directory lies inside the file, ending where the (zip64) EOCD begins. Writers put it last.
    static func zip(_ path: String, _ fh: FileHandle, size: UInt64) -> FormatState {
        guard size >= 22 else { return .incomplete("\(path): zip of \(size) bytes has no end record") }
        let tailLen = Int(min(size, 22 + 65_535))
        let tailStart = size - UInt64(tailLen)
        let tail = read(fh, at: tailStart, count: tailLen)
        guard tail.count == tailLen else { return .incomplete("\(path): cannot read zip trailer") }
        var eocd = -1
        var i = tailLen - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 0x05, tail[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            return .incomplete("\(path): zip end-of-central-directory record missing (still being written or truncated)")
        }
        let eocdPos = tailStart + UInt64(eocd)
        var cdSize = UInt64(le(tail, eocd + 12, UInt32.self))
        var cdOffset = UInt64(le(tail, eocd + 16, UInt32.self))
        var cdEnd = eocdPos
        if cdOffset == 0xFFFF_FFFF || cdSize == 0xFFFF_FFFF {
            // Zip64: locator just before the EOCD points at the zip64 EOCD record.
            guard eocdPos >= 20 else { return .incomplete("\(path): zip64 locator missing") }
            let loc = read(fh, at: eocdPos - 20, count: 20)
            guard loc.count == 20, le(loc, 0, UInt32.self) == 0x0706_4B50 else {
                return .incomplete("\(path): zip64 locator missing")
            }
            let rec64Pos = le(loc, 8, UInt64.self)
            let rec = read(fh, at: rec64Pos, count: 56)
            guard rec.count == 56, le(rec, 0, UInt32.self) == 0x0606_4B50 else {
                return .incomplete("\(path): zip64 end record missing at \(rec64Pos)")
            }
            cdSize = le(rec, 40, UInt64.self)
            cdOffset = le(rec, 48, UInt64.self)
            cdEnd = rec64Pos
        }
        guard cdOffset.addingReportingOverflow(cdSize).partialValue == cdEnd, cdOffset + cdSize <= size else {
            return .incomplete("\(path): zip central directory (\(cdOffset)+\(cdSize)) does not end at its end record (\(cdEnd))")
        }
        return .whole
    }

    /// .npy: magic, version, header dict; the file holds exactly prod(shape) * itemsize data bytes.
    static func npy(_ path: String, _ fh: FileHandle, size: UInt64) -> FormatState {
        let pre = read(fh, at: 0, count: 12)
        guard pre.count >= 10 else { return .incomplete("\(path): npy preamble truncated") }
        let major = pre[6]
        let headerLen: Int, start: Int
        if major == 1 { headerLen = Int(le(pre, 8, UInt16.self)); start = 10 } else {
            guard pre.count == 12 else { return .incomplete("\(path): npy preamble truncated") }
            headerLen = Int(le(pre, 8, UInt32.self)); start = 12
        }
        let hb = read(fh, at: UInt64(start), count: headerLen)
        guard hb.count == headerLen, let header = String(bytes: hb, encoding: .isoLatin1) else {
            return .incomplete("\(path): npy header truncated")
        }
        guard let d = header.firstMatch(of: /'descr':\s*'[<>|=]?[a-zA-Z](\d+)'/), let item = UInt64(d.1),
              let s = header.firstMatch(of: /'shape':\s*\(([^)]*)\)/) else {
            return .whole  // structured dtypes: leave to the reader; settle still applies
        }
        let dims = s.1.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        let expected = UInt64(start + headerLen) + dims.reduce(1, *) * item
        return expected == size ? .whole : .incomplete("\(path): npy header says \(expected) bytes, file has \(size)")
    }

    /// `*.index.json`: parses, and every shard it names exists and is whole.
    static func shardIndex(_ path: String) -> FormatState {
        guard let data = FileManager.default.contents(atPath: path) else { return .gone }
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = obj["weight_map"] as? [String: String] else {
            return .incomplete("\(path): shard index is not JSON with a weight_map")
        }
        let dir = (path as NSString).deletingLastPathComponent
        for shard in Set(map.values).sorted() {
            let p = (dir as NSString).appendingPathComponent(shard)
            guard FileManager.default.fileExists(atPath: p) else { return .incomplete("\(path): shard \(shard) is missing") }
            let c = file(p)
            if c != .whole { return c == .gone ? .incomplete("\(path): shard \(shard) is missing") : c }
        }
        return .whole
    }

    /// Shard files named by an index (relative names), for grouping.
    static func shardNames(ofIndex path: String) -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = obj["weight_map"] as? [String: String] else { return [] }
        return Set(map.values)
    }
}

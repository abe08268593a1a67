/// One member of a zip archive, as the central directory describes it. Sizes come from the
/// central directory only: torch writes zeros in the local headers (flag bit 3).
struct ZipEntry: Sendable {
    let name: String
    let method: UInt16
    let flags: UInt16
    let compressedSize: UInt64
    let size: UInt64
    let localHeaderOffset: UInt64
    /// Absolute offset of the entry's first data byte (from its local header).
    let dataOffset: UInt64

    var isStored: Bool { method == 0 }
}

/// The central directory of a zip file (classic or zip64), read without extracting anything.
/// Hand-written: Foundation has no zip API on Linux, and we need data offsets for in-place
/// reads, which general zip libraries hide.
struct ZipArchive {
    let path: String
    /// Entries in central-directory order.
    let entries: [ZipEntry]
    /// Offset where the central directory starts; every entry's data lies before it.
    let centralDirectoryOffset: UInt64

    /// Caps that bound work on hostile input.
    static let maxEntries = 1_000_000
    static let maxCentralDirectoryBytes = 256 << 20

    static let eocdSignature: UInt32 = 0x0605_4b50
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    static let zip64EOCDSignature: UInt32 = 0x0606_4b50
    static let centralSignature: UInt32 = 0x0201_4b50
    static let localSignature: UInt32 = 0x0403_4b50

    /// Entry index by name (models have thousands of storages; a linear search each would be quadratic).
    private let byName: [String: Int]

    func entry(named name: String) -> ZipEntry? { byName[name].map { entries[$0] } }

    init(file: ArchiveFile) throws {
        path = file.path
        let fail = { (problem: String) in CheckpointError.corrupt(file.path, problem) }
        let cut = { (problem: String) in CheckpointError.truncated(path: file.path, detail: problem) }
        let unsupported = { (problem: String) in CheckpointError.refused(file.path, problem) }
        let size = file.size
        guard size >= 22 else {
            throw cut("incomplete or truncated zip: \(size) bytes, too short for an end-of-central-directory record")
        }

        // The EOCD is the last 22 bytes plus an optional comment (<= 65535 bytes). torch writes no
        // comment; other writers may, so scan back over the comment window.
        let window = Int(min(size, 22 + 65_535))
        let tail = try file.read(at: size - UInt64(window), count: window)
        var eocdIndex: Int?
        var i = window - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4b, tail[i + 2] == 0x05, tail[i + 3] == 0x06 {
                let commentLength = Int(tail[i + 20]) | Int(tail[i + 21]) << 8
                if i + 22 + commentLength == window { eocdIndex = i; break }
            }
            i -= 1
        }
        guard let eocdIndex else {
            throw cut("incomplete or truncated zip: no end-of-central-directory record (a torch.save file still being written, or cut short)")
        }
        let eocdOffset = size - UInt64(window - eocdIndex)
        var c = ByteCursor(tail, at: eocdIndex + 4)
        let disk = c.le(UInt16.self)!, cdDisk = c.le(UInt16.self)!
        let entriesHere = c.le(UInt16.self)!, entriesTotal = c.le(UInt16.self)!
        let cdSize32 = c.le(UInt32.self)!, cdOffset32 = c.le(UInt32.self)!

        var entryCount = UInt64(entriesTotal)
        var cdSize = UInt64(cdSize32)
        var cdOffset = UInt64(cdOffset32)
        var cdEnd = eocdOffset   // the central directory must end where the (zip64) EOCD begins
        guard disk == 0 || disk == 0xFFFF, cdDisk == 0 || cdDisk == 0xFFFF, entriesHere == entriesTotal else {
            throw unsupported("multi-disk zip archives are not supported")
        }

        // A zip64 locator sits directly before the classic EOCD when present.
        if eocdOffset >= 20 {
            let loc = try file.read(at: eocdOffset - 20, count: 20)
            var lc = ByteCursor(loc)
            if lc.le(UInt32.self) == Self.zip64LocatorSignature {
                let locDisk = lc.le(UInt32.self)!
                let eocd64Offset = lc.le(UInt64.self)!
                let disks = lc.le(UInt32.self)!
                guard locDisk == 0, disks <= 1 else { throw unsupported("multi-disk zip64 archives are not supported") }
                guard eocd64Offset <= eocdOffset - 20, eocdOffset - 20 - eocd64Offset >= 56 else {
                    throw fail("corrupt zip64 locator: record offset \(eocd64Offset) is outside the file")
                }
                let rec = try file.read(at: eocd64Offset, count: 56)
                var rc = ByteCursor(rec)
                guard rc.le(UInt32.self) == Self.zip64EOCDSignature else {
                    throw fail("corrupt zip64 end-of-central-directory record (bad signature at \(eocd64Offset))")
                }
                _ = rc.le(UInt64.self); _ = rc.le(UInt16.self); _ = rc.le(UInt16.self)
                let d64 = rc.le(UInt32.self)!, cd64 = rc.le(UInt32.self)!
                let here64 = rc.le(UInt64.self)!, total64 = rc.le(UInt64.self)!
                guard d64 == 0, cd64 == 0, here64 == total64 else { throw unsupported("multi-disk zip64 archives are not supported") }
                entryCount = total64
                cdSize = rc.le(UInt64.self)!
                cdOffset = rc.le(UInt64.self)!
                cdEnd = eocd64Offset
            }
        }
        if cdEnd == eocdOffset, cdOffset32 == 0xFFFF_FFFF || cdSize32 == 0xFFFF_FFFF || entriesTotal == 0xFFFF {
            throw fail("corrupt zip: the end record defers to a zip64 record that is missing")
        }
        guard entryCount <= UInt64(Self.maxEntries) else { throw fail("zip claims \(entryCount) entries (limit \(Self.maxEntries))") }
        guard cdSize <= UInt64(Self.maxCentralDirectoryBytes) else { throw fail("zip central directory of \(cdSize) bytes is too large") }
        let (cdStop, cdOverflow) = cdOffset.addingReportingOverflow(cdSize)
        guard !cdOverflow, cdStop == cdEnd else {
            throw fail("corrupt or truncated zip: central directory [\(cdOffset), +\(cdSize)) does not end at the end record (\(cdEnd))")
        }
        guard entryCount * 46 <= cdSize else { throw fail("corrupt zip: \(entryCount) entries cannot fit in a \(cdSize)-byte central directory") }

        let cd = try file.read(at: cdOffset, count: Int(cdSize))
        var cur = ByteCursor(cd)
        var entries: [ZipEntry] = []
        entries.reserveCapacity(Int(entryCount))
        var seen = Set<String>()
        for index in 0..<Int(entryCount) {
            let bad = { (what: String) in fail("corrupt zip central directory entry \(index): \(what)") }
            guard cur.le(UInt32.self) == Self.centralSignature, cur.remaining >= 42 else { throw bad("bad signature or cut short") }
            _ = cur.le(UInt16.self); _ = cur.le(UInt16.self)
            let flags = cur.le(UInt16.self)!, method = cur.le(UInt16.self)!
            _ = cur.le(UInt32.self); _ = cur.le(UInt32.self) // time, date, crc
            var csize = UInt64(cur.le(UInt32.self)!), usize = UInt64(cur.le(UInt32.self)!)
            let nameLen = Int(cur.le(UInt16.self)!), extraLen = Int(cur.le(UInt16.self)!), commentLen = Int(cur.le(UInt16.self)!)
            var diskStart = UInt32(cur.le(UInt16.self)!)
            _ = cur.le(UInt16.self); _ = cur.le(UInt32.self)
            var lho = UInt64(cur.le(UInt32.self)!)
            guard let nameBytes = cur.take(nameLen), let extra = cur.take(extraLen), cur.take(commentLen) != nil else {
                throw bad("name/extra/comment run past the central directory")
            }
            guard let name = String(validating: nameBytes, as: UTF8.self) else { throw bad("entry name is not UTF-8") }
            // zip64 extra (0x0001): only the overflowed fields, in this order.
            var ec = ByteCursor(Array(extra))
            while ec.remaining >= 4 {
                let id = ec.le(UInt16.self)!, len = Int(ec.le(UInt16.self)!)
                guard let body = ec.take(len) else { throw bad("extra field runs past its end") }
                guard id == 0x0001 else { continue }
                var zc = ByteCursor(Array(body))
                if usize == 0xFFFF_FFFF { guard let v = zc.le(UInt64.self) else { throw bad("short zip64 extra") }; usize = v }
                if csize == 0xFFFF_FFFF { guard let v = zc.le(UInt64.self) else { throw bad("short zip64 extra") }; csize = v }
                if lho == 0xFFFF_FFFF { guard let v = zc.le(UInt64.self) else { throw bad("short zip64 extra") }; lho = v }
                if diskStart == 0xFFFF { guard let v = zc.le(UInt32.self) else { throw bad("short zip64 extra") }; diskStart = v }
            }
            guard diskStart == 0 else { throw bad("entry on another disk") }
            guard flags & 0x1 == 0 else { throw unsupported("zip entry '\(name)' is encrypted; not supported") }
            guard seen.insert(name).inserted else { throw fail("zip has two entries named '\(name)'") }
            guard lho < cdOffset, cdOffset - lho >= 30 else { throw bad("'\(name)' local header offset \(lho) is not before the central directory") }

            // The data offset comes from the local header: its extra (torch's 64-byte alignment
            // padding) differs in length from the central one.
            let local = try file.read(at: lho, count: 30)
            var lc = ByteCursor(local)
            guard lc.le(UInt32.self) == Self.localSignature else { throw bad("'\(name)' has no local header at \(lho)") }
            lc.position = 26
            let lName = UInt64(lc.le(UInt16.self)!), lExtra = UInt64(lc.le(UInt16.self)!)
            let dataOffset = lho + 30 + lName + lExtra
            let (dataEnd, o) = dataOffset.addingReportingOverflow(csize)
            guard !o, dataEnd <= cdOffset else {
                throw fail("corrupt or truncated zip: data of '\(name)' [\(dataOffset), +\(csize)) reaches past the start of the central directory (\(cdOffset))")
            }
            if method == 0, csize != usize {
                throw fail("corrupt zip: stored entry '\(name)' has compressed size \(csize) != size \(usize)")
            }
            entries.append(ZipEntry(name: name, method: method, flags: flags, compressedSize: csize, size: usize,
                                    localHeaderOffset: lho, dataOffset: dataOffset))
        }
        self.entries = entries
        self.byName = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
        self.centralDirectoryOffset = cdOffset
    }
}

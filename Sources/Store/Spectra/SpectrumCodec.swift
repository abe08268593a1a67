import CompressNIO
import Foundation
import NIOCore

/// How a layer's eigenvalues are stored: float32 bit patterns, delta-coded, byte-shuffled (all
/// first bytes, then all second bytes, …), then zlib. For non-negative floats the bit pattern
/// grows with the value, so the ascending spectrum's successive differences are small integers
/// whose high bytes are mostly zero; after the shuffle those planes are long runs that zlib
/// squeezes (plain shuffled float32 saved only ~23%; bench/README.md has the measured sizes).
/// Deltas wrap, so the rare tiny negative eigenvalue round-trips exactly too. zlib comes from
/// compress-nio (Debian's zlib1g underneath) rather than a hand-written binding.
public enum SpectrumCodec {
    /// The `codec` column's value for this encoding; another layout would get another name.
    public static let name = "f32-delta-shuffle-zlib"

    public enum Failure: Error, CustomStringConvertible, Sendable {
        case corrupt(String)
        public var description: String {
            switch self { case .corrupt(let why): "stored spectrum is corrupt: \(why)" }
        }
    }

    public static func encode(_ values: [Float]) throws -> [UInt8] {
        let n = values.count
        var shuffled = [UInt8](repeating: 0, count: n * 4)
        var previous: UInt32 = 0
        for (i, v) in values.enumerated() {
            let bits = v.bitPattern &- previous
            previous = v.bitPattern
            shuffled[i] = UInt8(truncatingIfNeeded: bits)
            shuffled[n + i] = UInt8(truncatingIfNeeded: bits >> 8)
            shuffled[2 * n + i] = UInt8(truncatingIfNeeded: bits >> 16)
            shuffled[3 * n + i] = UInt8(truncatingIfNeeded: bits >> 24)
        }
        var input = ByteBuffer(bytes: shuffled)
        var out = try input.compress(with: .zlib())
        return out.readBytes(length: out.readableBytes) ?? []
    }

    public static func decode(_ bytes: [UInt8], count: Int) throws -> [Float] {
        guard count >= 0 else { throw Failure.corrupt("negative count \(count)") }
        var input = ByteBuffer(bytes: bytes)
        var out = ByteBufferAllocator().buffer(capacity: count * 4)
        do { try input.decompress(to: &out, with: .zlib()) } catch {
            throw Failure.corrupt("zlib: \(error)")
        }
        guard out.readableBytes == count * 4, let raw = out.readBytes(length: count * 4) else {
            throw Failure.corrupt("expected \(count * 4) bytes, found \(out.readableBytes)")
        }
        var previous: UInt32 = 0
        return (0..<count).map { i in
            let delta = UInt32(raw[i]) | UInt32(raw[count + i]) << 8 | UInt32(raw[2 * count + i]) << 16
                | UInt32(raw[3 * count + i]) << 24
            previous = previous &+ delta
            return Float(bitPattern: previous)
        }
    }
}

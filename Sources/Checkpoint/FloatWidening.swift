/// Exact widening of every floating dtype to Float64.
///
/// Bit-level decoders (not Swift's `Float16`, which is unavailable on some platforms, and no
/// FP8 type exists): each returns the exact value, with subnormals, infinities and NaN kept.
enum FloatWidening {
    /// IEEE binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits.
    @inline(__always)
    static func half(_ h: UInt16) -> Double {
        let sign = UInt64(h >> 15) << 63
        let exponent = UInt64((h >> 10) & 0x1f)
        let mantissa = UInt64(h & 0x3ff)
        switch exponent {
        case 0:  // zero or subnormal: mantissa * 2^-24, exact in Double
            let magnitude = Double(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        case 0x1f:  // infinity or NaN (payload kept in the top mantissa bits)
            return Double(bitPattern: sign | 0x7ff0_0000_0000_0000 | mantissa << 42)
        default:
            return Double(bitPattern: sign | (exponent + (1023 - 15)) << 52 | mantissa << 42)
        }
    }

    /// bfloat16: the top half of a binary32.
    @inline(__always)
    static func bfloat16(_ b: UInt16) -> Double {
        Double(Float(bitPattern: UInt32(b) << 16))
    }

    /// float8_e4m3fn: bias 7, no infinities, S.1111.111 is the only NaN, max 448.
    @inline(__always)
    static func e4m3(_ b: UInt8) -> Double {
        let negative = b & 0x80 != 0
        let exponent = Int((b >> 3) & 0x0f)
        let mantissa = Int(b & 0x07)
        let magnitude: Double
        if exponent == 0x0f && mantissa == 0x07 {
            return .nan
        } else if exponent == 0 {
            magnitude = Double(mantissa) * 0x1p-9          // (m/8) * 2^(1-7)
        } else {
            magnitude = Double(8 + mantissa) * Double(sign: .plus, exponent: exponent - 10, significand: 1)
        }
        return negative ? -magnitude : magnitude
    }

    /// float8_e5m2: the top byte of an IEEE binary16.
    @inline(__always)
    static func e5m2(_ b: UInt8) -> Double { half(UInt16(b) << 8) }

    /// Decodes `count` elements of `dtype` from `src` into `dst`. When the two overlap, `dst` must
    /// start at `src` (in-place widening): elements are decoded last to first, and element i's
    /// 8 output bytes only cover source bytes of elements >= i, which have been decoded already.
    static func widen(_ src: UnsafeRawPointer, count: Int, dtype: DType, bigEndian: Bool,
                      into dst: UnsafeMutablePointer<Double>) {
        var i = count
        switch dtype {
        case .f64:
            while i > 0 {
                i -= 1
                let bits = src.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                dst[i] = Double(bitPattern: bigEndian ? bits.byteSwapped : bits)
            }
        case .f32:
            while i > 0 {
                i -= 1
                let bits = src.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                dst[i] = Double(Float(bitPattern: bigEndian ? bits.byteSwapped : bits))
            }
        case .f16:
            while i > 0 {
                i -= 1
                let bits = src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                dst[i] = half(bigEndian ? bits.byteSwapped : bits)
            }
        case .bf16:
            while i > 0 {
                i -= 1
                let bits = src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                dst[i] = bfloat16(bigEndian ? bits.byteSwapped : bits)
            }
        case .f8e4m3:
            while i > 0 { i -= 1; dst[i] = e4m3(src.load(fromByteOffset: i, as: UInt8.self)) }
        case .f8e5m2:
            while i > 0 { i -= 1; dst[i] = e5m2(src.load(fromByteOffset: i, as: UInt8.self)) }
        case .i64, .i32, .i16, .i8, .u64, .u32, .u16, .u8, .bool:
            preconditionFailure("widen called for non-float dtype \(dtype); callers check isFloatingPoint")
        }
    }
}

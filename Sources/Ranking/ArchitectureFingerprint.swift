/// Runs with the same ordered layer shapes are one architecture: a group of the sweep.
public enum ArchitectureFingerprint {
    /// One analysed layer: WeightWatcher's N × M, and its receptive field (1 for dense layers).
    public struct Shape: Sendable, Equatable {
        public var n: Int, m: Int, rf: Int
        public init(n: Int, m: Int, rf: Int) { self.n = n; self.m = m; self.rf = rf }
    }

    /// A short, stable group name: the layer count and 8 hex digits of a hash of the shapes,
    /// e.g. `4L-1c9a03f2`. FNV-1a is written out here because the name must not change between
    /// processes or versions (Swift's `Hasher` is seeded per process).
    public static func group(_ shapes: [Shape]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for s in shapes {
            for byte in "\(s.n)x\(s.m)x\(s.rf);".utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        let hex = String(h >> 32, radix: 16)
        return "\(shapes.count)L-" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}

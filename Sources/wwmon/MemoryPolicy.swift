import Glibc

/// Layer buffers (the widened tensor, its Gram matrix) are megabytes each and live for one layer.
/// glibc raises its mmap threshold up to 32 MB after the first such buffer is freed, so later
/// ones come from the heap, which fragments and is not given back: RSS would creep up with the
/// number of layers. A fixed 1 MiB threshold keeps every large buffer in its own mapping,
/// returned to the system when the layer is done (measured on the BERT-like set, one layer at a
/// time: peak RSS 100 MB → 58 MB).
enum MemoryPolicy {
    /// glibc's M_MMAP_THRESHOLD (malloc.h, which Swift's Glibc module does not import).
    private static let mmapThreshold: Int32 = -3

    static func apply() {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(sym, to: Mallopt.self)(mmapThreshold, 1 << 20)
    }
}

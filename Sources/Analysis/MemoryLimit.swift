import Foundation

/// The most working memory one layer may ask for, checked *before* its tensor is read: Swift
/// aborts the process when an allocation fails, so a 600-byte torch file with a stride-0 view
/// (or a sparse safetensors file with a valid header) could otherwise take a daemon down with
/// "failed to allocate 6000000032 bytes" on every start (issue 10, point 1).
public struct MemoryLimit: Sendable, Equatable {
    public var bytes: Int
    public init(bytes: Int) { self.bytes = max(0, bytes) }

    /// 3/4 of the least of: physical memory, the cgroup's memory.max (v2) or limit_in_bytes (v1),
    /// and the address space left under RLIMIT_AS (`ulimit -v`) — the rest stays for the
    /// process itself, OpenBLAS's buffers and a second layer in flight.
    public static func detect() -> MemoryLimit {
        var candidates: [Int] = []
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, pageSize > 0 { candidates.append(pages.multipliedReportingOverflow(by: pageSize).partialValue) }
        for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: file, encoding: .utf8),
               let v = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), v > 0 {
                candidates.append(v)
            }
        }
        var rl = rlimit()
        if getrlimit(Int32(RLIMIT_AS.rawValue), &rl) == 0, rl.rlim_cur != rlim_t.max {  // max: RLIM_INFINITY
            let limit = Int(clamping: rl.rlim_cur)
            candidates.append(max(0, limit - currentVirtualBytes()))
        }
        let least = candidates.min() ?? Int.max
        return MemoryLimit(bytes: least / 4 * 3)
    }

    /// The process's mapped address space now (/proc/self/statm, first field, in pages).
    static func currentVirtualBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").first.flatMap({ Int($0) }) else { return 0 }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }

    /// Peak bytes one layer of the tensor's shape (as float64 values) with a `side`×`side` Gram matrix may
    /// need: the widened tensor, a copy for a conv slice or an exact-SVD fallback, and the Gram
    /// (LayerPlan.workingBytes counts the first and last). Saturates instead of overflowing.
    public static func layerBytes(shape: [Int], workingBytes: Int) -> Int {
        var elements = 1
        for d in shape {
            let (p, o) = elements.multipliedReportingOverflow(by: d)
            if o { return Int.max }
            elements = p
        }
        let (copy, o1) = elements.multipliedReportingOverflow(by: 8)
        let (sum, o2) = workingBytes.addingReportingOverflow(copy)
        return o1 || o2 ? Int.max : sum
    }
}

/// A layer refused because it would need more memory than the limit.
public struct LayerTooLarge: Error, CustomStringConvertible, Sendable {
    public var file: String, tensor: String, shape: [Int], bytes: Int, limit: Int
    public var description: String {
        "\(file): tensor \"\(tensor)\" of shape \(shape) needs \(bytes) bytes of working memory, "
            + "more than the \(limit)-byte memory limit (set [analysis] memory_limit_mb to change it)"
    }
}

import CLapack

/// The OpenBLAS library's process-wide settings. `openblas_set_num_threads` is global to the
/// process, so only the analysis scheduler calls `setThreads`, between batches of work.
public enum BLASLibrary {
    public static var threads: Int { Int(openblas_get_num_threads()) }

    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }

    /// Stops the worker threads OpenBLAS starts when it loads. They spin (sched_yield) for about
    /// 0.1 s waiting for work, taking the other core from a short command that does no linear
    /// algebra; a later threaded BLAS call starts them again.
    public static func stopIdleWorkers() { _ = blas_thread_shutdown_() }

    /// The kernel family OpenBLAS chose when it loaded (e.g. "Haswell", "SkylakeX", "Prescott").
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// Kernels without AVX2 that 0.3.21 falls back to on CPUs it does not recognise.
    public static let genericCores: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem",
                                                   "Atom", "Barcelona", "Bobcat", "Bulldozer", "Sandybridge",
                                                   "Unknown"]

    /// The OPENBLAS_CORETYPE that gives fast kernels on a CPU with these /proc/cpuinfo flags,
    /// when OpenBLAS chose the generic `current`; nil when nothing should change.
    public static func fastCoreType(current: String, cpuFlags: Set<String>) -> String? {
        guard genericCores.contains(current) else { return nil }
        if ["avx512f", "avx512vl", "avx512bw", "avx512dq"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(cpuFlags.contains) { return "Haswell" }
        return nil
    }
}

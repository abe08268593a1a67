import Foundation
import Metrics

/// Debian 12's OpenBLAS 0.3.21 does not know recent CPUs and falls back to generic SSE3 kernels
/// (5× slower GEMM). It picks its kernel once, when the library loads, from OPENBLAS_CORETYPE,
/// so the only fix from inside is to re-exec ourselves with that variable set. A value the
/// environment already has is never overridden.
enum KernelSelection {
    static let marker = "WWMON_KERNEL_REEXEC"

    static func cpuFlags() -> Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// Re-execs the process with the better kernel when OpenBLAS fell back and the user set
    /// nothing. Returns only when no re-exec happened (or it failed: then the slow kernels run,
    /// and `describe()` says so).
    static func ensureFastKernels() {
        let env = ProcessInfo.processInfo.environment
        // WWMON_ASSUME_OPENBLAS_CORE lets the tests exercise this path on CPUs OpenBLAS knows.
        let core = env["WWMON_ASSUME_OPENBLAS_CORE"] ?? BLASLibrary.coreName
        guard env["OPENBLAS_CORETYPE"] == nil, env[marker] == nil,
              let better = BLASLibrary.fastCoreType(current: core, cpuFlags: cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        setenv(marker, core, 1)
        unsetenv("WWMON_ASSUME_OPENBLAS_CORE")
        var cargs: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        cargs.append(nil)
        execv("/proc/self/exe", &cargs)
        unsetenv("OPENBLAS_CORETYPE")   // execv failed: the environment says what really runs
    }

    /// One line saying which kernel runs and why (logged by the daemon, shown by analyze -v).
    static func describe() -> String {
        let env = ProcessInfo.processInfo.environment
        let core = BLASLibrary.coreName
        if let was = env[marker], env["OPENBLAS_CORETYPE"] != nil {
            return "OpenBLAS kernel \(core) (OpenBLAS chose \(was); set OPENBLAS_CORETYPE=\(env["OPENBLAS_CORETYPE"] ?? "?") for this CPU)"
        }
        let source = env["OPENBLAS_CORETYPE"] != nil ? "from OPENBLAS_CORETYPE" : "chosen by OpenBLAS"
        return "OpenBLAS kernel \(core) (\(source))"
    }
}

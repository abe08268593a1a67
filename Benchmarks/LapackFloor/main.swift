// lapack-floor: the bare LAPACK cost of the spectra wwmon computes, as the benchmark's yardstick.
//
// For each layer shape it times only `dsyrk` (Gram matrix of the smaller side) + `dsyevd`
// (eigenvalues only) in float64 — no file reading, no fitting — and sums over the layers.
// The whole sequence is repeated and the median total is reported, as JSON on stdout.
// `--gemm N` instead times an N×N dgemm (GFLOP/s), used to pick the fastest OpenBLAS core type.
//
// Arguments are parsed by hand: the tool takes two kinds of options and a list of shapes, and
// depending on swift-argument-parser would tie this yardstick to the CLI's build.
import CLapack
import Foundation
import TestSupport   // SplitMix64: the package's one seeded PRNG

struct Options {
    var threads: Int32 = 2
    var repeats = 3
    var gemm: Int? = nil
    var shapes: [(rows: Int, cols: Int, count: Int)] = []
}

func usage(_ msg: String) -> Never {
    FileHandle.standardError.write(Data("lapack-floor: \(msg)\nusage: lapack-floor [--threads T] [--repeat R] (--gemm N | ROWSxCOLS[*COUNT]...)\n".utf8))
    exit(2)
}

func parse(_ args: [String]) -> Options {
    var o = Options()
    var i = 0
    func value() -> String {
        i += 1
        guard i < args.count else { usage("\(args[i - 1]) needs a value") }
        return args[i]
    }
    while i < args.count {
        let a = args[i]
        switch a {
        case "--threads": guard let t = Int32(value()), t > 0 else { usage("bad --threads") }; o.threads = t
        case "--repeat": guard let r = Int(value()), r > 0 else { usage("bad --repeat") }; o.repeats = r
        case "--gemm": guard let n = Int(value()), n > 0 else { usage("bad --gemm") }; o.gemm = n
        default:
            let parts = a.split(separator: "*")
            let dims = parts[0].split(separator: "x")
            guard parts.count <= 2, dims.count == 2, let r = Int(dims[0]), let c = Int(dims[1]), r > 0, c > 0,
                  let n = parts.count == 2 ? Int(parts[1]) : 1, n > 0
            else { usage("bad shape '\(a)' (want ROWSxCOLS or ROWSxCOLS*COUNT)") }
            o.shapes.append((r, c, n))
        }
        i += 1
    }
    if o.gemm == nil && o.shapes.isEmpty { usage("no shapes given") }
    return o
}


func randomMatrix(_ count: Int, seed: UInt64) -> [Double] {
    var g = SplitMix64(state: seed)
    return (0..<count).map { _ in g.symmetricUnit() }
}

func seconds(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func jsonString(_ s: String) -> String {
    let d = try! JSONSerialization.data(withJSONObject: [s], options: [])
    return String(decoding: d.dropFirst().dropLast(), as: UTF8.self)
}

let opts = parse(Array(CommandLine.arguments.dropFirst()))
openblas_set_num_threads(opts.threads)
let corename = String(cString: openblas_get_corename())
let config = String(cString: openblas_get_config())
let coretypeEnv = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
let clock = ContinuousClock()
var fields: [String] = [
    "\"corename\": \(jsonString(corename))",
    "\"config\": \(jsonString(config))",
    "\"coretype_env\": \(coretypeEnv.map(jsonString) ?? "null")",
    "\"threads\": \(openblas_get_num_threads())",
]

if let n = opts.gemm {
    // dgemm C = A·B; correctness: 64 entries recomputed as plain dot products.
    let a = randomMatrix(n * n, seed: 1), b = randomMatrix(n * n, seed: 2)
    var c = [Double](repeating: 0, count: n * n)
    var times: [Double] = []
    for _ in 0..<opts.repeats {
        let t = clock.measure {
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n),
                        1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
        }
        times.append(seconds(t))
    }
    var g = SplitMix64(state: 3)
    var maxErr = 0.0
    for _ in 0..<64 {
        let i = Int(g.next() % UInt64(n)), j = Int(g.next() % UInt64(n))
        var dot = 0.0, scale = 0.0
        for k in 0..<n { dot += a[i + k * n] * b[k + j * n]; scale += abs(a[i + k * n] * b[k + j * n]) }
        maxErr = max(maxErr, abs(dot - c[i + j * n]) / scale)
    }
    let med = median(times)
    fields += [
        "\"gemm_n\": \(n)", "\"times\": \(times)", "\"median\": \(med)",
        "\"gflops\": \(2 * Double(n) * Double(n) * Double(n) / med / 1e9)",
        "\"max_rel_err\": \(maxErr)", "\"correct\": \(maxErr < 1e-12)",
    ]
} else {
    // One input matrix per distinct shape (dsyrk does not overwrite A); one Gram buffer for all.
    var inputs: [String: (matrix: [Double], frobenius2: Double)] = [:]
    var maxK = 0
    for (idx, s) in opts.shapes.enumerated() where inputs["\(s.rows)x\(s.cols)"] == nil {
        let m = randomMatrix(s.rows * s.cols, seed: UInt64(100 + idx))
        inputs["\(s.rows)x\(s.cols)"] = (m, m.reduce(0) { $0 + $1 * $1 })
        maxK = max(maxK, min(s.rows, s.cols))
    }
    var gram = [Double](repeating: 0, count: maxK * maxK)
    var evals = [Double](repeating: 0, count: maxK)
    var totals: [Double] = []
    var worstTrace = 0.0   // |Σλ − ‖W‖²_F| / ‖W‖²_F: a cheap check that the kernels computed the right thing
    var failures = 0
    let jobz = Int8(UInt8(ascii: "N")), uplo = Int8(UInt8(ascii: "U"))
    for _ in 0..<opts.repeats {
        var total = 0.0
        for s in opts.shapes {
            let (a, frob) = inputs["\(s.rows)x\(s.cols)"]!
            // W is rows×cols row-major (PyTorch layout) == its transpose, cols×rows, column-major.
            let r = Int32(s.cols), c = Int32(s.rows), k = Int32(min(s.rows, s.cols))
            for _ in 0..<s.count {
                var info: Int32 = 0
                let t = clock.measure {
                    if c <= r {   // Aᵀ A (c×c)
                        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, c, r, 1, a, r, 0, &gram, c)
                    } else {      // A Aᵀ (r×r)
                        cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, r, c, 1, a, r, 0, &gram, r)
                    }
                    info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, jobz, uplo, k, &gram, k, &evals)
                }
                total += seconds(t)
                if info != 0 { failures += 1 }
                let trace = evals[0..<Int(k)].reduce(0, +)
                worstTrace = max(worstTrace, abs(trace - frob) / frob)
            }
        }
        totals.append(total)
    }
    let layers = opts.shapes.reduce(0) { $0 + $1.count }
    fields += [
        "\"layers\": \(layers)", "\"times\": \(totals)", "\"median\": \(median(totals))",
        "\"max_trace_rel_err\": \(worstTrace)", "\"failures\": \(failures)",
        "\"correct\": \(failures == 0 && worstTrace < 1e-10)",
    ]
}
print("{" + fields.joined(separator: ", ") + "}")

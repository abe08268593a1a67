import CLapack

/// How the singular values of a matrix are computed.
public enum SpectrumMethod: String, Sendable, Codable {
    /// Eigenvalues of the smaller Gram matrix (dsyrk + dsyevd) in float64, falling back to
    /// dgesdd where the Gram path would lose the small singular values (see `Spectrum.values`).
    case gram
    /// dgesdd values only: WeightWatcher's own CPU path (scipy.linalg.svd).
    case gesdd
}

/// The singular values of one matrix, ascending, and how they were obtained.
public struct SingularValues: Sendable {
    /// σ ascending; min(rows, cols) of them.
    public var sigma: [Double]
    /// λ = σ² ascending (from the Gram path these come straight from the eigensolver).
    public var lambda: [Double]
    public var method: SpectrumMethod
}

public enum SpectrumError: Error, CustomStringConvertible {
    case lapack(routine: String, info: Int32)
    public var description: String {
        switch self {
        case .lapack(let r, let info): "LAPACK \(r) failed (info = \(info))"
        }
    }
}

public enum Spectrum {
    /// Singular values of the `rows × cols` row-major matrix in `a` (PyTorch layout).
    /// `a` is used as scratch and is garbage afterwards.
    ///
    /// The Gram path is 2–3× cheaper than gesdd but squares the condition number: its eigenvalues
    /// carry an absolute error of c·ε·λ_max, so σ_min is off by about c·ε·λ_max / (2·λ_min)
    /// relative (measured c ≤ 0.1 on Gaussian and trained-like layers up to 4096², e.g. 1.2e-8 at
    /// λ_min/λ_max = 6.6e-10). Only sv_min, matrix_rank and rank_loss look at the small σ; the fit
    /// ignores λ ≤ 1e-5 and every other column is dominated by the large λ. So the values are
    /// recomputed with dgesdd, WeightWatcher's own routine, where the Gram path could be wrong
    /// by more than our 1e-6 promise: a smallest eigenvalue below 1e-10·λ_max (σ_min error
    /// ≲ 1e-7 at the cut; rank-deficient layers always fall here), or an eigenvalue so close to
    /// WW's 1e-5 fit threshold or 1e-6 weak-rank tolerance that the error could move it across.
    /// (Square random matrices sit near 1e-9 by nature, so a stricter cut sends them to gesdd.)
    public static func values(of a: inout [Double], rows: Int, cols: Int,
                              method: SpectrumMethod = .gram) throws -> SingularValues {
        precondition(a.count == rows * cols)
        let k = min(rows, cols)
        if k == 0 { return SingularValues(sigma: [], lambda: [], method: method) }
        if method == .gram, let lambda = try gramEigenvalues(a, rows: rows, cols: cols),
           gramIsAccurate(lambda) {
            return SingularValues(sigma: lambda.map { $0.squareRoot() }, lambda: lambda, method: .gram)
        }
        let sigma = try gesdd(&a, rows: rows, cols: cols)
        return SingularValues(sigma: sigma, lambda: sigma.map { $0 * $0 }, method: .gesdd)
    }

    /// The row-major rows×cols matrix is, unchanged in memory, the column-major cols×rows
    /// matrix Aᵀ; same singular values, and LAPACKE makes no transposed copy.
    static func gesdd(_ a: inout [Double], rows: Int, cols: Int) throws -> [Double] {
        let k = min(rows, cols)
        var s = [Double](repeating: 0, count: k)
        let info = a.withUnsafeMutableBufferPointer { ap in
            s.withUnsafeMutableBufferPointer { sp in
                LAPACKE_dgesdd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), Int32(cols),
                               Int32(rows), ap.baseAddress, Int32(cols), sp.baseAddress,
                               nil, 1, nil, 1)
            }
        }
        guard info == 0 else { throw SpectrumError.lapack(routine: "dgesdd", info: info) }
        s.sort()
        return s
    }

    /// Eigenvalues (ascending) of the smaller Gram matrix, or nil if syevd did not converge.
    static func gramEigenvalues(_ a: [Double], rows: Int, cols: Int) throws -> [Double]? {
        let k = min(rows, cols)
        var g = [Double](repeating: 0, count: k * k)
        a.withUnsafeBufferPointer { ap in
            g.withUnsafeMutableBufferPointer { gp in
                // Column-major view A = Wᵀ (cols × rows, lda = cols).
                if cols <= rows {   // WᵀW = A·Aᵀ, cols × cols
                    cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, Int32(cols), Int32(rows),
                                1, ap.baseAddress, Int32(cols), 0, gp.baseAddress, Int32(k))
                } else {            // WWᵀ = Aᵀ·A, rows × rows
                    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(rows), Int32(cols),
                                1, ap.baseAddress, Int32(cols), 0, gp.baseAddress, Int32(k))
                }
            }
        }
        var w = [Double](repeating: 0, count: k)
        // The two-stage tridiagonal reduction is BLAS-3 rich: ~30% faster for values-only on one
        // thread from k ≈ 3000 (4096: 4.7 s vs 6.8 s here), slower below that and, in OpenBLAS
        // 0.3.21, with more threads. Same eigenvalues to ~1e-14·λ_max.
        let twoStage = k >= 3072 && BLASLibrary.threads == 1
        // The _work entry points: LAPACKE's plain wrappers scan the whole matrix for NaN first,
        // which the caller has already done on the weights.
        let jobz = CChar(UInt8(ascii: "N")), uplo = CChar(UInt8(ascii: "U")), n = Int32(k)
        func call(_ gp: UnsafeMutablePointer<Double>?, _ wp: UnsafeMutablePointer<Double>?,
                  _ work: UnsafeMutablePointer<Double>?, _ lwork: Int32,
                  _ iwork: UnsafeMutablePointer<Int32>?, _ liwork: Int32) -> Int32 {
            twoStage
                ? LAPACKE_dsyevd_2stage_work(LAPACK_COL_MAJOR, jobz, uplo, n, gp, n, wp, work, lwork, iwork, liwork)
                : LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, jobz, uplo, n, gp, n, wp, work, lwork, iwork, liwork)
        }
        var qwork = 0.0, qiwork: Int32 = 0
        let query = call(nil, nil, &qwork, -1, &qiwork, -1)
        guard query == 0 else { throw SpectrumError.lapack(routine: "dsyevd (workspace query)", info: query) }
        var work = [Double](repeating: 0, count: max(1, Int(qwork)))
        var iwork = [Int32](repeating: 0, count: max(1, Int(qiwork)))
        let info = g.withUnsafeMutableBufferPointer { gp in
            w.withUnsafeMutableBufferPointer { wp in
                work.withUnsafeMutableBufferPointer { wk in
                    iwork.withUnsafeMutableBufferPointer { iw in
                        call(gp.baseAddress, wp.baseAddress, wk.baseAddress, Int32(wk.count),
                             iw.baseAddress, Int32(iw.count))
                    }
                }
            }
        }
        if info > 0 { return nil }   // no convergence: let gesdd try
        guard info == 0 else { throw SpectrumError.lapack(routine: "dsyevd", info: info) }
        return w
    }

    /// Below this λ_min/λ_max the Gram path's σ_min is not trusted (see `values(of:)`).
    public static let minGramRatio = 1e-10

    /// Whether Gram eigenvalues are as good as gesdd's for every WeightWatcher column.
    static func gramIsAccurate(_ lambda: [Double]) -> Bool {
        guard let lmax = lambda.last, let lmin = lambda.first, lmax > 0, lmax.isFinite else { return false }
        if lmin <= Self.minGramRatio * lmax { return false }
        // Absolute error bound of the eigenvalues, generous: 64·k·ε·λ_max.
        let err = 64 * Double(lambda.count) * Double.ulpOfOne * lmax
        for t in [WWDefaults.evalsThreshold, WWDefaults.weakRankTolerance] {
            // Binary search for the eigenvalue nearest the threshold.
            var lo = 0, hi = lambda.count
            while lo < hi { let mid = (lo + hi) / 2; if lambda[mid] < t { lo = mid + 1 } else { hi = mid } }
            for j in [lo - 1, lo] where j >= 0 && j < lambda.count {
                if abs(lambda[j] - t) <= err { return false }
            }
        }
        return true
    }
}

import Foundation

/// The singular values of a Conv2D layer as a linear map on c_in×N×N inputs with circular
/// padding (stride 1): the "future version" of the Conv2D ESD in the blog this project follows,
/// computed as in Sedghi, Gupta & Long, "The Singular Values of Convolutional Layers" (ICLR 2019).
/// The operator is block-circulant, so the 2-D DFT diagonalises it: at each of the N² frequencies
/// (u, v) it acts as the c_out×c_in complex matrix A_uv[o, i] = Σ_{p,q} K[o, i, p, q]·e^{−2πi(pu+qv)/N},
/// and its singular values are those of all A_uv together: N²·min(c_in, c_out) values.
public enum ConvOperator {
    /// Singular values (ascending) of the operator of `kernel` (PyTorch layout out×in×kh×kw,
    /// row-major) on N×N inputs.
    ///
    /// The kernel has kh·kw taps, so each A_uv is a direct DFT of those taps (O(N²·kh·kw) per
    /// channel pair) rather than an FFT of the zero-padded N×N kernel: fewer operations for the
    /// kernel sizes in use and no FFT library. A real kernel gives A_{−u,−v} = conj(A_uv), with
    /// the same singular values, so only one of each conjugate pair is decomposed. The complex
    /// SVD is taken as the real 2c_out×2c_in matrix [[Re, −Im], [Im, Re]], whose singular values
    /// are those of A_uv, each twice (LAPACKE's complex routines take C `_Complex` arguments,
    /// which Swift does not import).
    public static func singularValues(kernel w: [Double], shape: [Int], inputSize n: Int,
                                      method: SpectrumMethod = .gram) throws -> SingularValues {
        precondition(shape.count == 4 && n >= 1)
        let (out, inp, kh, kw) = (shape[0], shape[1], shape[2], shape[3])
        precondition(w.count == out * inp * kh * kw)
        let rf = kh * kw, k = min(out, inp)
        let step = 2 * Double.pi / Double(n)
        let cosT: [Double] = (0..<n).map { cos(step * Double($0)) }
        let sinT: [Double] = (0..<n).map { sin(step * Double($0)) }
        var perFrequency = [[Double]?](repeating: nil, count: n * n)
        var block = [Double](repeating: 0, count: 4 * out * inp)
        let cols = 2 * inp
        for u in 0..<n {
            for v in 0..<n {
                let f = u * n + v
                let partner = ((n - u) % n) * n + (n - v) % n
                if partner < f, let done = perFrequency[partner] { perFrequency[f] = done; continue }
                for o in 0..<out {
                    for i in 0..<inp {
                        var re = 0.0, im = 0.0
                        let base = (o * inp + i) * rf
                        for p in 0..<kh {
                            for q in 0..<kw {
                                let t: Int = (p * u + q * v) % n
                                let kv: Double = w[base + p * kw + q]
                                re += kv * cosT[t]
                                im -= kv * sinT[t]
                            }
                        }
                        block[o * cols + i] = re
                        block[o * cols + inp + i] = -im
                        block[(out + o) * cols + i] = im
                        block[(out + o) * cols + inp + i] = re
                    }
                }
                let sv = try Spectrum.values(of: &block, rows: 2 * out, cols: 2 * inp, method: method)
                // Each value appears twice; the mean of a pair is the better estimate.
                var pairs = [Double](repeating: 0, count: k)
                for j in 0..<k {
                    let a: Double = sv.sigma[2 * j], b: Double = sv.sigma[2 * j + 1]
                    pairs[j] = (a + b) / 2
                }
                perFrequency[f] = pairs
            }
        }
        var sigma: [Double] = []
        sigma.reserveCapacity(n * n * k)
        for s in perFrequency { sigma.append(contentsOf: s!) }
        sigma.sort()
        return SingularValues(sigma: sigma, lambda: sigma.map { $0 * $0 }, method: method)
    }
}

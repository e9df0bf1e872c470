// Closed-form fitting: exact least squares (or ridge) at label resolution from sufficient statistics.
//
// After nearest upsampling every pixel p of token t predicts w·a_t, so
//     Σ_p (w·a_{t(p)} − y_p)² = Σ_t n_t (w·a_t)² − 2 w·Σ_t a_t S_t + Σ_p y_p²,   S_t = Σ_{p∈t} y_p,
// whose minimiser solves (Σ_t n_t a_t a_tᵀ) w = Σ_t a_t S_t: weighted least squares on the tokens with weight
// n_t (pixels covered) and target ȳ_t = S_t / n_t. One pass, no activations kept, memory O(C²); shards add.
// Ridge: minimise (1/N)Σ_p(…)² + λ‖w‖² (bias not penalised) → (G/N + λI) w = m/N.
// Binary labels: regress the ±1 target (2y − 1) to a score s = w·a and emit the logits (−s/2, s/2), so that
// argmax is s > 0 and softmax(p₁) = sigmoid(s).
import COpenBLAS
import Foundation
import PluginKit

/// Σ n_t z_t z_tᵀ, Σ z_t S_t and the pixel count, z_t = a_t (plus a constant 1 with bias).
struct LeastSquaresStats {
    let features: Int
    /// The upper triangle of the symmetric [F, F] Gram matrix, packed row by row (F(F+1)/2 values, F = features:
    /// half the memory, which matters when a streamed study keeps thousands of probes at once).
    var gram: [Double]
    /// [F]
    var moment: [Double]
    var pixels: Double = 0
    var targetSquares: Double = 0

    init(features: Int) {
        self.features = features
        gram = [Double](repeating: 0, count: features * (features + 1) / 2)
        moment = [Double](repeating: 0, count: features)
    }

    mutating func accumulate(activation: [Float], label: UnsafeBufferPointer<Float>, map: NearestMap,
                             binary: Bool, bias: Bool) {
        let T = map.tokens, C = activation.count / T, F = features
        var sums = map.tokenSums(label)
        if binary { for t in 0..<T { sums[t] = 2 * sums[t] - Double(map.counts[t]) } }
        for p in label { let y = binary ? 1.0 : Double(p); targetSquares += y * y }
        pixels += Double(map.pixels)
        // Z [F, T]: each token column scaled by √n_t.
        var z = [Float](repeating: 0, count: F * T)
        let root = map.counts.map { Float(Double($0).squareRoot()) }
        for c in 0..<C { for t in 0..<T { z[c * T + t] = activation[c * T + t] * root[t] } }
        if bias { for t in 0..<T { z[C * T + t] = root[t] } }
        var g = [Float](repeating: 0, count: F * F)
        z.withUnsafeBufferPointer { zp in
            g.withUnsafeMutableBufferPointer { gp in
                cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(F), Int32(T), 1, zp.baseAddress,
                            Int32(T), 0, gp.baseAddress, Int32(F))
            }
        }
        for i in 0..<F {
            let row = packedRow(i)
            for j in i..<F { gram[row + j] += Double(g[i * F + j]) }
        }
        for c in 0..<C {
            var s = 0.0
            for t in 0..<T { s += Double(activation[c * T + t]) * sums[t] }
            moment[c] += s
        }
        if bias { moment[C] += sums.reduce(0, +) }
    }

    /// Index of element (i, i) minus i in `gram`: element (i, j ≥ i) is gram[packedRow(i) + j].
    func packedRow(_ i: Int) -> Int { i * features - i * (i + 1) / 2 }

    /// Element (i, j) of the Gram matrix, either triangle.
    func gramElement(_ i: Int, _ j: Int) -> Double { i <= j ? gram[packedRow(i) + j] : gram[packedRow(j) + i] }

    mutating func add(_ other: LeastSquaresStats) {
        guard other.features == features else { return }
        for i in 0..<gram.count { gram[i] += other.gram[i] }
        for i in 0..<moment.count { moment[i] += other.moment[i] }
        pixels += other.pixels
        targetSquares += other.targetSquares
    }

    /// Solves (G/N + λI) w = m/N by Cholesky in double precision. λ is not applied to the bias feature.
    func solve(lambda: Double, bias: Bool) throws -> [Double] {
        let F = features
        guard pixels > 0 else {
            throw PluginKitError.invalidArgument("linear: fit called with no training examples (hint: add_example first)")
        }
        var a = [Double](repeating: 0, count: F * F)
        for i in 0..<F {
            for j in i..<F {
                let v = gram[packedRow(i) + j] / pixels
                a[i * F + j] = v; a[j * F + i] = v
            }
            if !(bias && i == F - 1) { a[i * F + i] += lambda }
        }
        let b = moment.map { $0 / pixels }
        if let x = Cholesky.solve(a, b, n: F) { return x }
        // Singular Gram (λ = 0 and dependent channels): the smallest ridge that makes it definite, stated.
        let trace = (0..<F).reduce(0.0) { $0 + a[$1 * F + $1] }
        var jitter = max(trace / Double(F), 1e-30) * 1e-10
        for _ in 0..<8 {
            var aj = a
            for i in 0..<F { aj[i * F + i] += jitter }
            if let x = Cholesky.solve(aj, b, n: F) { return x }
            jitter *= 100
        }
        throw PluginKitError.internalError("linear: the Gram matrix is not positive definite even with a ridge (hint: check the activations for NaN or set lambda > 0)")
    }
}

extension LinearProbe {
    func fitLeastSquares() throws {
        let x = try stats.solve(lambda: config.lambda, bias: config.bias)
        let C = channels
        if config.binary {
            for c in 0..<C { weight[c] = Float(-x[c] / 2); weight[C + c] = Float(x[c] / 2) }
            if config.bias { bias[0] = Float(-x[C] / 2); bias[1] = Float(x[C] / 2) }
        } else {
            for c in 0..<C { weight[c] = Float(x[c]) }
            if config.bias { bias[0] = Float(x[C]) }
        }
        // Mean squared residual at the solution: (Σy² − 2 wᵀm + wᵀGw) / N.
        let F = stats.features
        var quad = 0.0, lin = 0.0
        for i in 0..<F {
            lin += x[i] * stats.moment[i]
            for j in 0..<F {
                let gij = stats.gramElement(i, j)
                quad += x[i] * gij * x[j]
            }
        }
        lastLoss = (stats.targetSquares - 2 * lin + quad) / stats.pixels
    }
}

/// Dense Cholesky factorisation and solve for a symmetric positive definite matrix (row-major, double).
enum Cholesky {
    /// x with A x = b, or nil when A is not (numerically) positive definite.
    static func solve(_ matrix: [Double], _ b: [Double], n: Int) -> [Double]? {
        var l = matrix
        let ok: Bool = l.withUnsafeMutableBufferPointer { p in
            let L = p.baseAddress!
            for j in 0..<n {
                let rowJ = L + j * n
                let d = rowJ[j] - cblas_ddot(Int32(j), rowJ, 1, rowJ, 1)
                guard d > 0, d.isFinite else { return false }
                let ljj = d.squareRoot()
                rowJ[j] = ljj
                for i in (j + 1)..<max(n, j + 1) {
                    let rowI = L + i * n
                    rowI[j] = (rowI[j] - cblas_ddot(Int32(j), rowI, 1, rowJ, 1)) / ljj
                }
            }
            return true
        }
        guard ok else { return nil }
        // Forward: L y = b; backward: Lᵀ x = y.
        var y = b
        for i in 0..<n {
            var s = y[i]
            for k in 0..<i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
        }
        var x = y
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = x[i]
            for k in (i + 1)..<max(n, i + 1) { s -= l[k * n + i] * x[k] }
            x[i] = s / l[i * n + i]
        }
        return x
    }
}

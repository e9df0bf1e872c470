// Group normalisation (torch.nn.GroupNorm), optionally fused with SiLU as diffusers' blocks always follow it.
import Foundation

extension Tensor {
    /// torch.nn.GroupNorm over self [B, C, ...]: per (sample, group of C/groups channels) mean and biased
    /// variance over the group's channels and all spatial positions; y = (x − μ)/√(σ² + eps) · weight[c] + bias[c].
    /// `silu` applies x·sigmoid(x) to the result in the same pass.
    public func groupNorm(groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, silu: Bool = false) -> Tensor {
        var out = self
        out.groupNormInPlace(groups: groups, weight: weight, bias: bias, eps: eps, silu: silu)
        return out
    }

    /// In-place form of `groupNorm`.
    public mutating func groupNormInPlace(groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, silu: Bool = false) {
        Profiler.time(silu ? "groupnorm+silu" : "groupnorm") {
            precondition(shape.count >= 2, "groupNorm: needs [B, C, ...]")
            let b = shape[0], c = shape[1]
            precondition(c % groups == 0, "groupNorm: \(c) channels not divisible by \(groups) groups")
            let spatial = count / (b * c), cpg = c / groups
            let gamma = weight?.data ?? [Float](repeating: 1, count: c)
            let beta = bias?.data ?? [Float](repeating: 0, count: c)
            gamma.withUnsafeBufferPointer { gp in
                beta.withUnsafeBufferPointer { bp in
                    data.withUnsafeMutableBufferPointer { xp in
                        let x = xp.baseAddress!
                        parallelFor(b * groups) { bg in
                            let g = bg % groups
                            let base = x + bg * cpg * spatial
                            let n = cpg * spatial
                            // Two passes (mean, then squared deviations): float chunks summed into doubles.
                            var sum = 0.0
                            var i = 0
                            while i < n {
                                let e = min(n, i + 1024)
                                var s: Float = 0
                                for j in i..<e { s += base[j] }
                                sum += Double(s); i = e
                            }
                            let mean = Float(sum / Double(n))
                            var sq = 0.0
                            i = 0
                            while i < n {
                                let e = min(n, i + 1024)
                                var s: Float = 0
                                for j in i..<e { let d = base[j] - mean; s += d * d }
                                sq += Double(s); i = e
                            }
                            let rstd = Float(1 / (sq / Double(n) + Double(eps)).squareRoot())
                            for cc in 0..<cpg {
                                let ch = g * cpg + cc
                                let scale = gp[ch] * rstd
                                let shift = bp[ch] - mean * scale
                                let row = base + cc * spatial
                                if silu {
                                    let sv = FloatV(repeating: scale), hv = FloatV(repeating: shift)
                                    mapV(row, row, n: spatial) { let v = $0 * sv + hv; return v / (1 + expV(-v)) }
                                } else {
                                    for j in 0..<spatial { row[j] = row[j] * scale + shift }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

// Group normalisation (torch.nn.GroupNorm), optionally fused with SiLU as diffusers' blocks always follow it.
import CKernels
import Foundation

extension Tensor {
    /// torch.nn.GroupNorm over self [B, C, ...]: per (sample, group of C/groups channels) mean and biased
    /// variance over the group's channels and all spatial positions; y = (x − μ)/√(σ² + eps) · weight[c] + bias[c].
    /// `silu` applies x·sigmoid(x) to the result in the same pass.
    public func groupNorm(groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, silu: Bool = false) -> Tensor {
        // Written straight from the input: no copy of it first (one pass less over memory than copy-then-in-place).
        var out = Tensor(uninitialized: shape)
        out.data.withUnsafeMutableBufferPointer { op in
            data.withUnsafeBufferPointer { xp in
                Self.groupNorm(xp.baseAddress!, into: op.baseAddress!, shape: shape, groups: groups, weight: weight,
                               bias: bias, eps: eps, silu: silu)
            }
        }
        return out
    }

    /// In-place form of `groupNorm`.
    public mutating func groupNormInPlace(groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, silu: Bool = false) {
        let shape = self.shape
        data.withUnsafeMutableBufferPointer { xp in
            Self.groupNorm(xp.baseAddress!, into: xp.baseAddress!, shape: shape, groups: groups, weight: weight,
                           bias: bias, eps: eps, silu: silu)
        }
    }

    /// GroupNorm of `src` [B, C, ...] into `dst` (may be `src`). Statistics and the fused affine+SiLU pass run in
    /// CKernels (norm_groupnorm.c: AVX2+FMA, float partial sums per 1024 accumulated in double).
    private static func groupNorm(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, shape: [Int],
                                  groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, silu: Bool) {
        Profiler.time(silu ? "groupnorm+silu" : "groupnorm") {
            precondition(shape.count >= 2, "groupNorm: needs [B, C, ...]")
            let b = shape[0], c = shape[1]
            precondition(c % groups == 0, "groupNorm: \(c) channels not divisible by \(groups) groups")
            let spatial = shape.reduce(1, *) / max(1, b * c), cpg = c / groups
            let gamma = weight?.data ?? [Float](repeating: 1, count: c)
            let beta = bias?.data ?? [Float](repeating: 0, count: c)
            gamma.withUnsafeBufferPointer { gp in
                beta.withUnsafeBufferPointer { bp in
                    parallelFor(b * groups) { bg in
                        let g = bg % groups
                        let offset = bg * cpg * spatial, n = cpg * spatial
                        var mean = 0.0, m2 = 0.0
                        ldmp_mean_m2(src + offset, n, &mean, &m2)
                        let rstd = Float(1 / (m2 / Double(max(1, n)) + Double(eps)).squareRoot())
                        for cc in 0..<cpg {
                            let ch = g * cpg + cc
                            let scale = gp[ch] * rstd
                            let shift = bp[ch] - Float(mean) * scale
                            let row = offset + cc * spatial
                            ldmp_affine_silu(src + row, dst + row, spatial, scale, shift, silu ? 1 : 0)
                        }
                    }
                }
            }
        }
    }
}

// Layer normalisation over the last axis (torch.nn.LayerNorm with a 1-D normalized_shape).
import Foundation

extension Tensor {
    /// torch.nn.LayerNorm over the last axis: y = (x − μ)/√(σ² + eps) · weight + bias, biased variance.
    public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        Profiler.time("layernorm") {
            let c = shape.last!
            let rows = count / c
            var out = Tensor(uninitialized: shape)
            let gamma = weight?.data ?? [Float](repeating: 1, count: c)
            let beta = bias?.data ?? [Float](repeating: 0, count: c)
            data.withUnsafeBufferPointer { xp in
                out.data.withUnsafeMutableBufferPointer { op in
                    gamma.withUnsafeBufferPointer { gp in
                        beta.withUnsafeBufferPointer { bp in
                            let x = xp.baseAddress!, o = op.baseAddress!
                            parallelFor(rows, minPerThread: 16) { r in
                                let src = x + r * c, dst = o + r * c
                                var s: Float = 0
                                for j in 0..<c { s += src[j] }
                                let mean = s / Float(c)
                                var v: Float = 0
                                for j in 0..<c { let d = src[j] - mean; v += d * d }
                                let rstd = 1 / (v / Float(c) + eps).squareRoot()
                                for j in 0..<c { dst[j] = (src[j] - mean) * rstd * gp[j] + bp[j] }
                            }
                        }
                    }
                }
            }
            return out
        }
    }
}

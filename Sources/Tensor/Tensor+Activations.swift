// Pointwise activations: SiLU, GELU (exact, erf), quick_gelu (CLIP), ReLU, GEGLU (diffusers FeedForward).
import Foundation

extension Tensor {
    /// Applies f to every element in parallel chunks.
    @inline(__always)
    public func map(_ f: (Float) -> Float) -> Tensor {
        var out = Tensor(uninitialized: shape)
        data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { p in
                let src = xp.baseAddress!, dst = p.baseAddress!, n = p.count
                let chunk = 1 << 14
                parallelFor((n + chunk - 1) / chunk) { c in
                    for i in (c * chunk)..<min(n, c * chunk + chunk) { dst[i] = f(src[i]) }
                }
            }
        }
        return out
    }

    /// torch.nn.functional.silu: x · sigmoid(x).
    public func silu() -> Tensor { map { $0 / (1 + expf(-$0)) } }

    /// torch.nn.functional.gelu (approximate "none"): x · Φ(x) = 0.5 · x · (1 + erf(x/√2)).
    public func gelu() -> Tensor { map { 0.5 * $0 * (1 + erff($0 * 0.70710678118654752)) } }

    /// transformers' quick_gelu (CLIP ViT-L/14 text model): x · sigmoid(1.702 x).
    public func quickGelu() -> Tensor { map { $0 / (1 + expf(-1.702 * $0)) } }

    /// torch.relu.
    public func relu() -> Tensor { map { max(0, $0) } }

    /// diffusers GEGLU after its projection: self [..., 2·D] = [hidden | gate] → hidden · gelu(gate) [..., D].
    public func geglu() -> Tensor {
        let d2 = shape.last!, d = d2 / 2
        let rows = count / d2
        var out = Tensor(uninitialized: Array(shape.dropLast()) + [d])
        data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { op in
                let x = xp.baseAddress!, o = op.baseAddress!
                parallelFor(rows, minPerThread: 8) { r in
                    let h = x + r * d2, g = h + d, dst = o + r * d
                    for j in 0..<d {
                        let gv = g[j]
                        dst[j] = h[j] * (0.5 * gv * (1 + erff(gv * 0.70710678118654752)))
                    }
                }
            }
        }
        return out
    }
}

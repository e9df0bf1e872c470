// Pointwise activations: SiLU, GELU (exact, erf), quick_gelu (CLIP), ReLU, GEGLU (diffusers FeedForward).
import Foundation

extension Tensor {
    /// Applies f to every element in parallel chunks.
    @inline(__always)
    public func map(_ f: (Float) -> Float) -> Tensor {
        mapChunks { src, dst, n in
            for i in 0..<n { dst[i] = f(src[i]) }
        }
    }

    /// Applies f to 8 lanes at a time in parallel chunks.
    @inline(__always)
    public func mapVector(_ f: (FloatV) -> FloatV) -> Tensor {
        mapChunks { src, dst, n in mapV(src, dst, n: n, f) }
    }

    /// A new tensor of this shape, filled by `body(src, dst, n)` over chunks of 2^14 elements on all cores.
    @inline(__always)
    private func mapChunks(_ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        Profiler.time("elementwise") {
            var out = Tensor(uninitialized: shape)
            data.withUnsafeBufferPointer { xp in
                out.data.withUnsafeMutableBufferPointer { p in
                    let src = xp.baseAddress!, dst = p.baseAddress!, n = p.count
                    let chunk = 1 << 14
                    parallelFor((n + chunk - 1) / chunk) { c in
                        let lo = c * chunk
                        body(src + lo, dst + lo, min(n, lo + chunk) - lo)
                    }
                }
            }
            return out
        }
    }

    /// torch.nn.functional.silu: x · sigmoid(x).
    public func silu() -> Tensor { mapVector { $0 / (1 + expV(-$0)) } }

    /// torch.nn.functional.gelu (approximate "none"): x · Φ(x) = 0.5 · x · (1 + erf(x/√2)).
    public func gelu() -> Tensor { mapVector { 0.5 * $0 * (1 + erfV($0 * 0.70710678118654752)) } }

    /// transformers' quick_gelu (CLIP ViT-L/14 text model): x · sigmoid(1.702 x).
    public func quickGelu() -> Tensor { mapVector { $0 / (1 + expV(-1.702 * $0)) } }

    /// torch.relu.
    public func relu() -> Tensor { map { max(0, $0) } }

    /// diffusers GEGLU after its projection: self [..., 2·D] = [hidden | gate] → hidden · gelu(gate) [..., D].
    public func geglu() -> Tensor {
        Profiler.time("geglu") {
            let d2 = shape.last!, d = d2 / 2
            let rows = count / d2
            var out = Tensor(uninitialized: Array(shape.dropLast()) + [d])
            data.withUnsafeBufferPointer { xp in
                out.data.withUnsafeMutableBufferPointer { op in
                    let x = xp.baseAddress!, o = op.baseAddress!
                    parallelFor(rows, minPerThread: 8) { r in
                        let h = x + r * d2, g = h + d, dst = o + r * d
                        // gelu(gate) into dst, then · hidden.
                        mapV(g, dst, n: d) { 0.5 * $0 * (1 + erfV($0 * 0.70710678118654752)) }
                        for j in 0..<d { dst[j] *= h[j] }
                    }
                }
            }
            return out
        }
    }
}

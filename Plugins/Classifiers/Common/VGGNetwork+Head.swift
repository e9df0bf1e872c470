// ClassifierSupport — the classifier head for one image: each Linear is a matrix-vector product whose time is the
// weight read (classifier.0 alone is 25088 × 4096 floats, 411 MB), so it streams four weight rows at a time
// against one input vector kept in cache, on every core; sgemm with m = 1 reads the weights at about half that rate.
import Tensor

extension VGGNetwork {
    /// Weights at least this large (32 MB, the L3 cache) take `linearOneRow` for one image: VGG-16's classifier.0
    /// and .3; smaller ones stay with sgemm, whose time is not the weight read.
    public static let streamedHeadFloats = 8 << 20

    /// x [1, I] · weightᵀ + bias → [1, O] for weight [O, I], bias [O]: each row's sum of products (`dot`), plus
    /// the bias.
    public static func linearOneRow(_ x: Tensor, _ l: Linear) -> Tensor {
        let o = l.weight.shape[0], n = l.weight.shape[1]
        var y = Tensor(uninitialized: [1, o])  // [1, O]
        Profiler.time("linear.gemv") {
            x.data.withUnsafeBufferPointer { xp in
                l.weight.data.withUnsafeBufferPointer { wp in
                    l.bias.data.withUnsafeBufferPointer { bp in
                        y.data.withUnsafeMutableBufferPointer { yp in
                            let xb = xp.baseAddress!, wb = wp.baseAddress!, bb = bp.baseAddress!, yb = yp.baseAddress!
                            parallelFor((o + 3) / 4, minPerThread: 16) { block in
                                let r0 = block * 4
                                for r in r0..<min(o, r0 + 4) where r + 4 > o { yb[r] = bb[r] + dot(xb, wb + r * n, n) }
                                guard r0 + 4 <= o else { return }
                                dot4(xb, wb + r0 * n, n, bb + r0, yb + r0)
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// Values per block: eight float lanes sum a block's products (64 each), the blocks' sums add in double, so a
    /// 25088-long row's sum stays within about an ulp of the exact one (as accurate as sgemm's, or more).
    private static let block = 512

    /// Σ x[i]·w[i] over n values.
    private static func dot(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ n: Int) -> Float {
        var total = 0.0, i = 0
        while i < n {
            let end = min(n, i + block)
            var acc = SIMD8<Float>()
            while i + 8 <= end {
                acc += load8(x + i) * load8(w + i)
                i += 8
            }
            var s = acc.sum()
            while i < end { s += x[i] * w[i]; i += 1 }
            total += Double(s)
        }
        return Float(total)
    }

    /// y[k] = bias[k] + Σ x[i]·w[k·n + i] for the four rows k = 0…3 (each as `dot` sums it).
    private static func dot4(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ n: Int,
                             _ bias: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        var t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0, i = 0
        let w1 = w + n, w2 = w1 + n, w3 = w2 + n
        while i < n {
            let end = min(n, i + block)
            var a0 = SIMD8<Float>(), a1 = a0, a2 = a0, a3 = a0
            while i + 8 <= end {
                let v = load8(x + i)
                a0 += v * load8(w + i)
                a1 += v * load8(w1 + i)
                a2 += v * load8(w2 + i)
                a3 += v * load8(w3 + i)
                i += 8
            }
            var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
            while i < end {
                s0 += x[i] * w[i]; s1 += x[i] * w1[i]; s2 += x[i] * w2[i]; s3 += x[i] * w3[i]
                i += 1
            }
            t0 += Double(s0); t1 += Double(s1); t2 += Double(s2); t3 += Double(s3)
        }
        y[0] = bias[0] + Float(t0); y[1] = bias[1] + Float(t1); y[2] = bias[2] + Float(t2); y[3] = bias[3] + Float(t3)
    }

    @inline(__always)
    private static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
}

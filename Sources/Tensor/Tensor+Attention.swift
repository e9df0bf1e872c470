// Multi-head scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention) with heads packed
// in the channel axis, as diffusers' Attention and transformers' CLIPAttention lay them out.
import COpenBLAS
import Dispatch
import Foundation

extension Tensor {
    /// softmax(Q Kᵀ · scale [+ causal mask]) V per head. q [B, Tq, C], k and v [B, Tk, C] with C = heads · d and
    /// head h in channels h·d ..< (h+1)·d; result [B, Tq, C] in the same layout. `scale` defaults to 1/√d.
    /// `causal` masks key j > query i (CLIP's text transformer).
    ///
    /// Blocked: the work is split into tasks (sample, head, block of `blockRows` queries) spread over the cores,
    /// each with single-threaded sgemm. A task's scores [blockRows, Tk] stay in the core's cache through
    /// Q·Kᵀ, the fused max/exp/sum pass and P·V; the 1/sum normalisation is applied to the [blockRows, d] output
    /// instead of the scores. `blockRows` nil picks about 2 MB of scores per task.
    ///
    /// `fused` nil takes the fused C kernel (attn_fused.c) where the CPU runs it, no `blockRows` is given and the
    /// shape is one it wins on (AttentionTuning.fusedWins); false forces the sgemm path, true asks for the fused
    /// one (still the sgemm path without AVX-512).
    public static func attention(q: Tensor, k: Tensor, v: Tensor, heads: Int, scale: Float? = nil,
                                 causal: Bool = false, blockRows: Int? = nil, fused: Bool? = nil) -> Tensor {
        checkAttentionShapes(q: q, k: k, v: v, heads: heads)
        var out = Tensor(uninitialized: q.shape)                                    // [B, Tq, C]
        q.data.withUnsafeBufferPointer { qp in
            out.data.withUnsafeMutableBufferPointer { op in
                attention(q: qp.baseAddress!, k: k, v: v, out: op.baseAddress!, shape: q.shape, heads: heads,
                          scale: scale, causal: causal, blockRows: blockRows, fused: fused)
            }
        }
        return out
    }

    /// `attention` written over its queries: q [B, Tq, C] becomes the result (same values as `attention`). Each
    /// task reads its block of query rows (one head's columns) before it writes that block's output, and no two
    /// tasks share a block, so no [B, Tq, C] output is allocated beside q (10.5 MB per self-attention at latent 64).
    public static func attention(overQueries q: inout Tensor, k: Tensor, v: Tensor, heads: Int, scale: Float? = nil,
                                 causal: Bool = false, blockRows: Int? = nil, fused: Bool? = nil) {
        checkAttentionShapes(q: q, k: k, v: v, heads: heads)
        let shape = q.shape
        q.data.withUnsafeMutableBufferPointer { qp in
            let p = qp.baseAddress!
            attention(q: p, k: k, v: v, out: p, shape: shape, heads: heads, scale: scale, causal: causal,
                      blockRows: blockRows, fused: fused)
        }
    }

    private static func checkAttentionShapes(q: Tensor, k: Tensor, v: Tensor, heads: Int) {
        precondition(q.shape.count == 3 && k.shape.count == 3 && v.shape.count == 3, "attention: needs [B, T, C]")
        let (b, c) = (q.shape[0], q.shape[2])
        precondition(k.shape[0] == b && v.shape[0] == b && k.shape[2] == c && v.shape[2] == c
                     && v.shape[1] == k.shape[1], "attention: q \(q.shape), k \(k.shape), v \(v.shape) do not match")
        precondition(c % heads == 0, "attention: \(c) channels not divisible by \(heads) heads")
    }

    /// The blocked kernel on buffers: q and out [B, Tq, C] (`out` may be `q`: a task's query block is read before
    /// its output block is written), k and v [B, Tk, C].
    private static func attention(q qb: UnsafePointer<Float>, k: Tensor, v: Tensor, out ob: UnsafeMutablePointer<Float>,
                                  shape: [Int], heads: Int, scale: Float?, causal: Bool, blockRows: Int?,
                                  fused: Bool?) {
        let (b, tq, c) = (shape[0], shape[1], shape[2])
        let tk = k.shape[1]
        let d = c / heads
        let alpha = scale ?? 1 / Float(d).squareRoot()
        let useFused = AttentionTuning.useFused(fused, blockRows: blockRows, tq: tq, tk: tk, d: d)
        let block = max(1, min(tq, blockRows ?? AttentionTuning.blockRows(tk: tk)))
        let blocks = (tq + block - 1) / block
        let tasks = b * heads * blocks
        Profiler.time("attention") {
            k.data.withUnsafeBufferPointer { kp in
            v.data.withUnsafeBufferPointer { vp in
                let kb = kp.baseAddress!, vb = vp.baseAddress!
                if useFused {
                    fusedAttention(q: qb, k: kb, v: vb, out: ob, b: b, tq: tq, tk: tk, c: c, heads: heads,
                                   alpha: alpha, causal: causal)
                    return
                }
                Compute.withSingleThreadedBLAS(tasks > 1 && !AttentionTuning.serial) {
                    Compute.concurrentTasks(tasks, scratch: block * tk + block,
                                            threads: AttentionTuning.serial ? 1 : Compute.cores) { task, s in
                        let bh = task / blocks, q0 = (task % blocks) * block
                        let bi = bh / heads, h = bh % heads
                        let nq = min(block, tq - q0)
                        let qh = qb + (bi * tq + q0) * c + h * d           // [nq, d], row stride c
                        let kh = kb + bi * tk * c + h * d                  // [tk, d], row stride c
                        let vh = vb + bi * tk * c + h * d                  // [tk, d], row stride c
                        let oh = ob + (bi * tq + q0) * c + h * d           // [nq, d], row stride c
                        // [nq, d] · [tk, d]ᵀ · alpha → s [nq, tk] (qh is not read after this)
                        sgemm(transB: true, m: nq, n: tk, k: d, alpha: alpha, a: qh, lda: c, b: kh, ldb: c,
                              c: s, ldc: tk)
                        let inv = s + block * tk                             // [nq] 1/row sums
                        for i in 0..<nq {
                            let row = s + i * tk
                            // Causal: keys 0 ... q0 + i are visible.
                            let n = causal ? min(tk, q0 + i + 1) : tk
                            var m = maxOf(row, n: n)
                            if m == -.infinity { m = 0 }
                            let sum = expShiftSum(row, row, n: n, shift: m)
                            if n < tk { (row + n).update(repeating: 0, count: tk - n) }
                            inv[i] = sum > 0 ? 1 / sum : 0
                        }
                        // e^(s − max) [nq, tk] · v [tk, d] → [nq, d], then each row · 1/sum.
                        sgemm(m: nq, n: d, k: tk, a: s, lda: tk, b: vh, ldb: c, c: oh, ldc: c)
                        for i in 0..<nq {
                            let row = oh + i * c, f = inv[i]
                            for j in 0..<d { row[j] *= f }
                        }
                    }
                }
            }}
        }
    }

    /// The unblocked form (whole score matrix per head, scalar softmax, normalised scores): the reference the
    /// blocked kernel is tested against.
    public static func attentionReference(q: Tensor, k: Tensor, v: Tensor, heads: Int, scale: Float? = nil,
                                          causal: Bool = false) -> Tensor {
        let (b, tq, c) = (q.shape[0], q.shape[1], q.shape[2])
        let tk = k.shape[1]
        let d = c / heads
        let alpha = scale ?? 1 / Float(d).squareRoot()
        var out = Tensor(zeros: [b, tq, c])
        var scores = [Float](repeating: 0, count: tq * tk)   // [tq, tk]
        q.data.withUnsafeBufferPointer { qp in
        k.data.withUnsafeBufferPointer { kp in
        v.data.withUnsafeBufferPointer { vp in
        out.data.withUnsafeMutableBufferPointer { op in
        scores.withUnsafeMutableBufferPointer { sp in
            let s = sp.baseAddress!
            for bi in 0..<b {
                for h in 0..<heads {
                    let off = h * d
                    sgemm(transB: true, m: tq, n: tk, k: d, alpha: alpha, a: qp.baseAddress! + bi * tq * c + off,
                          lda: c, b: kp.baseAddress! + bi * tk * c + off, ldb: c, c: s, ldc: tk)
                    if causal {
                        for i in 0..<tq where i + 1 < tk { (s + i * tk + i + 1).update(repeating: -.infinity,
                                                                                        count: tk - i - 1) }
                    }
                    softmaxRows(s, rows: tq, n: tk, ld: tk)
                    sgemm(m: tq, n: d, k: tk, a: s, lda: tk, b: vp.baseAddress! + bi * tk * c + off, ldb: c,
                          c: op.baseAddress! + bi * tq * c + off, ldc: c)
                }
            }
        }}}}}
        return out
    }
}

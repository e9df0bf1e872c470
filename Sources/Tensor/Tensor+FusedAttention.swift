// The fused attention kernel (CKernels attn_fused.c) spread over the cores: one task per (sample, head, chunk of
// queries), each packing its head's Kᵀ once and keeping score blocks in L2.
import CKernels

extension Tensor {
    /// Tensor.attention's fused path: q [B, Tq, C], k and v [B, Tk, C], heads packed in channels → [B, Tq, C].
    /// A head's queries split into chunks only where samples × heads leave cores idle (the VAE's single head):
    /// each chunk repacks Kᵀ, which costs Tk·d against its 4·chunk·Tk·d multiply-adds.
    static func fusedAttention(q: Tensor, k: Tensor, v: Tensor, heads: Int, alpha: Float, causal: Bool) -> Tensor {
        let (b, tq, c) = (q.shape[0], q.shape[1], q.shape[2])
        let tk = k.shape[1], d = c / heads
        let rows = AttentionTuning.fusedRows(tk: tk)                      // a multiple of 24
        let wanted = max(1, (4 * Compute.cores + b * heads - 1) / (b * heads))
        let chunks = max(1, min(wanted, tq / (2 * rows)))
        let chunk = (tq + chunks - 1) / chunks                             // queries per task
        let tasks = b * heads * chunks
        var out = Tensor(uninitialized: [b, tq, c])
        let scratch = ldmp_attn_fused_scratch(tk, d, rows)
        Profiler.time("attention") {
            q.data.withUnsafeBufferPointer { qp in
            k.data.withUnsafeBufferPointer { kp in
            v.data.withUnsafeBufferPointer { vp in
            out.data.withUnsafeMutableBufferPointer { op in
                let qb = qp.baseAddress!, kb = kp.baseAddress!, vb = vp.baseAddress!, ob = op.baseAddress!
                Compute.concurrentTasks(tasks, scratch: scratch) { task, s in
                    let bh = task / chunks, q0 = (task % chunks) * chunk
                    let bi = bh / heads, h = bh % heads
                    let nq = min(chunk, tq - q0)
                    guard nq > 0 else { return }
                    let head = (bi * tq + q0) * c + h * d                  // [nq, d] of q and out, row stride c
                    let keys = bi * tk * c + h * d                         // [tk, d] of k and v, row stride c
                    ldmp_attn_fused_head(qb + head, kb + keys, vb + keys, ob + head, c, nq, q0, tk, d, alpha,
                                         causal ? 1 : 0, rows, s)
                }
            }}}}
        }
        return out
    }
}

extension Tensor {
    /// Whether this CPU runs the fused attention kernel (tests print it).
    public static var fusedAttentionRuns: Bool { ldmp_attn_fused_supported() != 0 }
}

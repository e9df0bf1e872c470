// The fused attention kernel (CKernels attn_fused.c) spread over the cores: one task per (sample, head, chunk of
// queries), each packing its head's Kᵀ and V once and keeping score blocks in L2.
import CKernels

extension Tensor {
    /// Tensor.attention's fused path on its buffers: q and out [B, Tq, C], k and v [B, Tk, C], heads packed in
    /// channels. A head's queries split into chunks only where samples × heads leave cores idle (the VAE's single
    /// head): each chunk repacks Kᵀ and V, which costs 2·Tk·d against its 4·chunk·Tk·d multiply-adds.
    static func fusedAttention(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                               out: UnsafeMutablePointer<Float>, b: Int, tq: Int, tk: Int, c: Int, heads: Int,
                               alpha: Float, causal: Bool) {
        let d = c / heads
        let rows = AttentionTuning.fusedRows(tk: tk)                      // a multiple of 24
        let wanted = max(1, (4 * Compute.cores + b * heads - 1) / (b * heads))
        let chunks = max(1, min(wanted, tq / (2 * rows)))
        let chunk = (tq + chunks - 1) / chunks                             // queries per task
        Compute.concurrentTasks(b * heads * chunks, scratch: ldmp_attn_fused_scratch(tk, d, rows)) { task, s in
            let bh = task / chunks, q0 = (task % chunks) * chunk
            let bi = bh / heads, h = bh % heads
            let nq = min(chunk, tq - q0)
            guard nq > 0 else { return }
            let head = (bi * tq + q0) * c + h * d                          // [nq, d] of q and out, row stride c
            let keys = bi * tk * c + h * d                                 // [tk, d] of k and v, row stride c
            ldmp_attn_fused_head(q + head, k + keys, v + keys, out + head, c, nq, q0, tk, d, alpha,
                                 causal ? 1 : 0, rows, s)
        }
    }

    /// Whether this CPU runs the fused attention kernel (tests print it).
    public static var fusedAttentionRuns: Bool { ldmp_attn_fused_supported() != 0 }
}

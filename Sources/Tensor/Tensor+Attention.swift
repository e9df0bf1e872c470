// Multi-head scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention) with heads packed
// in the channel axis, as diffusers' Attention and transformers' CLIPAttention lay them out.

extension Tensor {
    /// softmax(Q Kᵀ · scale [+ causal mask]) V per head. q [B, Tq, C], k and v [B, Tk, C] with C = heads · d and
    /// head h in channels h·d ..< (h+1)·d; result [B, Tq, C] in the same layout. `scale` defaults to 1/√d.
    /// `causal` masks key j > query i (CLIP's text transformer). Heads are read in place (strided sgemm), and the
    /// score matrix is built in query blocks of at most 64 MB.
    public static func attention(q: Tensor, k: Tensor, v: Tensor, heads: Int, scale: Float? = nil,
                                 causal: Bool = false) -> Tensor {
        precondition(q.shape.count == 3 && k.shape.count == 3 && v.shape.count == 3, "attention: needs [B, T, C]")
        let (b, tq, c) = (q.shape[0], q.shape[1], q.shape[2])
        let tk = k.shape[1]
        precondition(k.shape[0] == b && v.shape[0] == b && k.shape[2] == c && v.shape[2] == c && v.shape[1] == tk,
                     "attention: q \(q.shape), k \(k.shape), v \(v.shape) do not match")
        precondition(c % heads == 0, "attention: \(c) channels not divisible by \(heads) heads")
        let d = c / heads
        let alpha = scale ?? 1 / Float(d).squareRoot()
        let block = max(1, min(tq, (16 << 20) / max(1, tk)))
        var out = Tensor(uninitialized: [b, tq, c])
        var scores = [Float](unsafeUninitializedCapacity: block * tk) { _, n in n = block * tk }
        q.data.withUnsafeBufferPointer { qp in
        k.data.withUnsafeBufferPointer { kp in
        v.data.withUnsafeBufferPointer { vp in
        out.data.withUnsafeMutableBufferPointer { op in
        scores.withUnsafeMutableBufferPointer { sp in
            let s = sp.baseAddress!
            for bi in 0..<b {
                for h in 0..<heads {
                    let qh = qp.baseAddress! + bi * tq * c + h * d
                    let kh = kp.baseAddress! + bi * tk * c + h * d
                    let vh = vp.baseAddress! + bi * tk * c + h * d
                    let oh = op.baseAddress! + bi * tq * c + h * d
                    var q0 = 0
                    while q0 < tq {
                        let nq = min(block, tq - q0)
                        // [nq, d] · [tk, d]ᵀ → [nq, tk]
                        sgemm(transB: true, m: nq, n: tk, k: d, alpha: alpha, a: qh + q0 * c, lda: c,
                              b: kh, ldb: c, c: s, ldc: tk)
                        if causal {
                            for i in 0..<nq where q0 + i + 1 < tk {
                                (s + i * tk + q0 + i + 1).update(repeating: -.infinity, count: tk - (q0 + i + 1))
                            }
                        }
                        softmaxRows(s, rows: nq, n: tk, ld: tk)
                        // [nq, tk] · [tk, d] → [nq, d] written into this head's channels.
                        sgemm(m: nq, n: d, k: tk, a: s, lda: tk, b: vh, ldb: c, c: oh + q0 * c, ldc: c)
                        q0 += nq
                    }
                }
            }
        }}}}}
        return out
    }
}

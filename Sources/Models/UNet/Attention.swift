// diffusers Attention (AttnProcessor2_0) as BasicTransformerBlock uses it: to_q/to_k/to_v without bias,
// to_out.0 with bias, heads packed in channels.
import Tensor

/// Multi-head attention over tokens. Self-attention when `context` is nil (attn1), cross-attention on the text
/// encoder's hidden states otherwise (attn2). Capture points: the output of `to_out.0`, named by `path`, and for
/// cross-attention the softmax probabilities, named `path + ".probs"` (see `probabilities`).
public struct Attention {
    public let path: String
    /// `path + ".probs"`, kept so the per-call lookup hashes no new string.
    public let probsPath: String
    public let heads: Int
    public var toQ: Linear
    public var toK: Linear
    public var toV: Linear
    public var toOut: Linear

    public init(_ w: WeightLoader, _ path: String, channels c: Int, contextChannels: Int?, heads: Int) throws {
        self.path = path
        probsPath = path + Self.probsSuffix
        self.heads = heads
        let kv = contextChannels ?? c
        toQ = try Linear(w, join(path, "to_q"), in: c, out: c, bias: false)
        toK = try Linear(w, join(path, "to_k"), in: kv, out: c, bias: false)
        toV = try Linear(w, join(path, "to_v"), in: kv, out: c, bias: false)
        toOut = try Linear(w, join(path, "to_out.0"), in: c, out: c)
    }

    /// The suffix of a cross-attention probability capture point (`…transformer_blocks.0.attn2.probs`).
    public static let probsSuffix = ".probs"

    /// x [B, T, C], context [B, S, D] or nil → [B, T, C]
    /// Takes `x` by value (the block's normalised tokens): k and v come first, then q is written over x, the
    /// attention over q, and the output projection over that. At latent 64 a self-attention's x, q, k, v and output
    /// are 10.5 MB each: three are alive at once, not five (the peak of a half-weight call was up_blocks.3's first
    /// self-attention). Same operations, same values.
    func callAsFunction(_ x: consuming Tensor, context: Tensor?, taps: TapPlan) -> Tensor {
        let k: Tensor, v: Tensor                                                   // [B, S, C]
        if let context { (k, v) = (toK(context), toV(context)) } else { (k, v) = (toK(x), toV(x)) }
        var q = toQ.inPlace(consume x)                                             // [B, T, C]
        if context != nil, taps.wants(probsPath) {
            // Recomputed only when captured: the blocked kernel never holds the normalised scores.
            var p = Self.probabilities(q: q, k: k, heads: heads)                   // [B, heads, T, S]
            taps.visit(probsPath, &p)
        }
        Tensor.attention(overQueries: &q, k: k, v: v, heads: heads)                // [B, T, C]
        var out = toOut.inPlace(consume q)                                         // [B, T, C]
        taps.visit(path, &out)
        return out
    }

    /// softmax(Q Kᵀ / √d) per head, as diffusers' `get_attention_scores`: q [B, T, C], k [B, S, C] → [B, heads, T, S].
    public static func probabilities(q: Tensor, k: Tensor, heads: Int) -> Tensor {
        let (b, t, c) = (q.shape[0], q.shape[1], q.shape[2])
        let s = k.shape[1], d = c / heads
        let alpha = 1 / Float(d).squareRoot()
        var out = Tensor(uninitialized: [b, heads, t, s])
        let tasks = b * heads
        q.data.withUnsafeBufferPointer { qp in
        k.data.withUnsafeBufferPointer { kp in
        out.data.withUnsafeMutableBufferPointer { op in
            let qb = qp.baseAddress!, kb = kp.baseAddress!, ob = op.baseAddress!
            // One task per (sample, head), each with single-threaded sgemm, as the blocked attention spreads work.
            Compute.withSingleThreadedBLAS(tasks > 1) {
                Compute.concurrentTasks(tasks, scratch: 0) { task, _ in
                    let bi = task / heads, h = task % heads
                    let dst = ob + task * t * s                                     // [T, S]
                    // [T, d] (row stride C) · [S, d]ᵀ (row stride C) · alpha → [T, S]
                    sgemm(transB: true, m: t, n: s, k: d, alpha: alpha, a: qb + bi * t * c + h * d, lda: c,
                          b: kb + bi * s * c + h * d, ldb: c, c: dst, ldc: s)
                    for r in 0..<t {   // softmaxRows' arithmetic, inline: this task already has its core
                        let row = dst + r * s
                        let m = maxOf(row, n: s), inv = 1 / expShiftSum(row, row, n: s, shift: m)
                        for j in 0..<s { row[j] *= inv }
                    }
                }
            }
        }}}
        return out
    }
}

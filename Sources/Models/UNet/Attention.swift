// diffusers Attention (AttnProcessor2_0) as BasicTransformerBlock uses it: to_q/to_k/to_v without bias,
// to_out.0 with bias, heads packed in channels.
import Tensor

/// Multi-head attention over tokens. Self-attention when `context` is nil (attn1), cross-attention on the text
/// encoder's hidden states otherwise (attn2). Capture point: the output of `to_out.0`, named by `path`.
public struct Attention {
    public let path: String
    public let heads: Int
    public var toQ: Linear
    public var toK: Linear
    public var toV: Linear
    public var toOut: Linear

    public init(_ w: WeightLoader, _ path: String, channels c: Int, contextChannels: Int?, heads: Int) throws {
        self.path = path
        self.heads = heads
        let kv = contextChannels ?? c
        toQ = try Linear(w, join(path, "to_q"), in: c, out: c, bias: false)
        toK = try Linear(w, join(path, "to_k"), in: kv, out: c, bias: false)
        toV = try Linear(w, join(path, "to_v"), in: kv, out: c, bias: false)
        toOut = try Linear(w, join(path, "to_out.0"), in: c, out: c)
    }

    /// x [B, T, C], context [B, S, D] or nil → [B, T, C]
    func callAsFunction(_ x: Tensor, context: Tensor?, taps: TapPlan) -> Tensor {
        let kv = context ?? x
        let a = Tensor.attention(q: toQ(x), k: toK(kv), v: toV(kv), heads: heads)   // [B, T, C]
        var out = toOut(a)                                                         // [B, T, C]
        taps.visit(path, &out)
        return out
    }
}

// diffusers BasicTransformerBlock (norm_type "layer_norm", no ada-norm): self-attention, cross-attention, GEGLU FF,
// each pre-normed with LayerNorm and added back to the residual stream.
import Tensor

public struct BasicTransformerBlock {
    public var norm1: LayerNorm
    public var attn1: Attention
    public var norm2: LayerNorm
    public var attn2: Attention
    public var norm3: LayerNorm
    public var ff: FeedForward

    public init(_ w: WeightLoader, _ path: String, channels c: Int, contextChannels: Int, heads: Int,
                eps: Float = 1e-5) throws {
        norm1 = try LayerNorm(w, join(path, "norm1"), channels: c, eps: eps)
        attn1 = try Attention(w, join(path, "attn1"), channels: c, contextChannels: nil, heads: heads)
        norm2 = try LayerNorm(w, join(path, "norm2"), channels: c, eps: eps)
        attn2 = try Attention(w, join(path, "attn2"), channels: c, contextChannels: contextChannels, heads: heads)
        norm3 = try LayerNorm(w, join(path, "norm3"), channels: c, eps: eps)
        ff = try FeedForward(w, join(path, "ff"), channels: c)
    }

    /// x [B, T, C], context [B, S, D] → [B, T, C]
    /// Takes `x` by value: the residual stream is added to in place, not copied (copy-on-write) while the caller
    /// still holds it.
    func callAsFunction(_ x: consuming Tensor, context: Tensor, taps: TapPlan) -> Tensor {
        var h = consume x
        h.add(attn1(norm1(h), context: nil, taps: taps))
        h.add(attn2(norm2(h), context: context, taps: taps))
        h.add(ff(norm3(h)))
        return h
    }
}

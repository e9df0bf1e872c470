// diffusers Attention as the VAE's UNetMidBlock2D uses it: one head over all channels, its own GroupNorm
// (eps 1e-6), biased to_q/to_k/to_v/to_out.0, residual connection, on a [B, C, H, W] feature map.
import Tensor

public struct VAEAttention {
    public var groupNorm: GroupNorm
    public var toQ: Linear
    public var toK: Linear
    public var toV: Linear
    public var toOut: Linear

    public init(_ w: WeightLoader, _ path: String, channels c: Int, groups: Int) throws {
        groupNorm = try GroupNorm(w, path + ".group_norm", groups: groups, channels: c, eps: 1e-6)
        toQ = try Linear(w, path + ".to_q", in: c, out: c)
        toK = try Linear(w, path + ".to_k", in: c, out: c)
        toV = try Linear(w, path + ".to_v", in: c, out: c)
        toOut = try Linear(w, path + ".to_out.0", in: c, out: c)
    }

    /// [B, C, H, W] → [B, C, H, W]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let t = groupNorm(x).reshaped([b, c, h * w]).transposedLastTwo()          // [B, HW, C]
        let a = Tensor.attention(q: toQ(t), k: toK(t), v: toV(t), heads: 1)       // [B, HW, C]
        var out = toOut(a).transposedLastTwo().reshaped([b, c, h, w])             // [B, C, H, W]
        out.add(x)
        return out
    }
}

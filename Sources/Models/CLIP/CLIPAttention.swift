// transformers' CLIPAttention: q/k/v/out projections with bias, scale 1/√(head dim), causal mask in the text model.
import Tensor

/// Keys `<path>.{q,k,v,out}_proj.{weight,bias}`.
public struct CLIPAttention {
    public let heads: Int
    public var qProj: Linear
    public var kProj: Linear
    public var vProj: Linear
    public var outProj: Linear

    init(_ w: WeightLoader, _ path: String, config c: CLIPTextConfig) throws {
        heads = c.numAttentionHeads
        let d = c.hiddenSize
        qProj = try Linear(w, join(path, "q_proj"), in: d, out: d)
        kProj = try Linear(w, join(path, "k_proj"), in: d, out: d)
        vProj = try Linear(w, join(path, "v_proj"), in: d, out: d)
        outProj = try Linear(w, join(path, "out_proj"), in: d, out: d)
    }

    /// x [B, T, D] → [B, T, D], each token attending to itself and earlier tokens.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let a = Tensor.attention(q: qProj(x), k: kProj(x), v: vProj(x), heads: heads, causal: true)  // [B, T, D]
        return outProj(a)                                                                          // [B, T, D]
    }
}

// transformers' CLIPEncoderLayer: pre-LN residual blocks, x + attn(ln1(x)), then x + mlp(ln2(x)).
import Tensor

/// Keys under `text_model.encoder.layers.<i>`: layer_norm1, self_attn, layer_norm2, mlp.
public struct CLIPEncoderLayer {
    public var layerNorm1: LayerNorm
    public var selfAttn: CLIPAttention
    public var layerNorm2: LayerNorm
    public var mlp: CLIPMLP

    init(_ w: WeightLoader, _ path: String, config c: CLIPTextConfig) throws {
        layerNorm1 = try LayerNorm(w, join(path, "layer_norm1"), channels: c.hiddenSize, eps: c.layerNormEps)
        selfAttn = try CLIPAttention(w, join(path, "self_attn"), config: c)
        layerNorm2 = try LayerNorm(w, join(path, "layer_norm2"), channels: c.hiddenSize, eps: c.layerNormEps)
        mlp = try CLIPMLP(w, join(path, "mlp"), config: c)
    }

    /// x [B, T, D] → [B, T, D]
    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        h.add(selfAttn(layerNorm1(x)))   // [B, T, D]
        var out = h
        out.add(mlp(layerNorm2(h)))      // [B, T, D]
        return out
    }
}

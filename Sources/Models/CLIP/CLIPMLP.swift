// transformers' CLIPMLP: fc1 → activation (quick_gelu for CLIP, or exact gelu) → fc2.
import Tensor

/// Keys `<path>.fc1.{weight,bias}` [F, D], `<path>.fc2.{weight,bias}` [D, F].
public struct CLIPMLP {
    public var fc1: Linear
    public var fc2: Linear
    public let quickGelu: Bool

    init(_ w: WeightLoader, _ path: String, config c: CLIPTextConfig) throws {
        fc1 = try Linear(w, join(path, "fc1"), in: c.hiddenSize, out: c.intermediateSize)
        fc2 = try Linear(w, join(path, "fc2"), in: c.intermediateSize, out: c.hiddenSize)
        quickGelu = c.hiddenAct == "quick_gelu"
    }

    /// x [B, T, D] → [B, T, D]
    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = fc1(x)                                        // [B, T, F]
        return fc2(quickGelu ? h.quickGelu() : h.gelu())      // [B, T, D]
    }
}

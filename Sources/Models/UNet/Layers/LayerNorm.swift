// torch.nn.LayerNorm over the last axis with its affine weights.
import Tensor

/// torch.nn.LayerNorm(C, eps, elementwise_affine=True). Keys `<path>.weight`, `<path>.bias` [C].
public struct LayerNorm {
    public var eps: Float
    public var weight: Tensor   // [C]
    public var bias: Tensor     // [C]

    public init(_ w: WeightLoader, _ path: String, channels c: Int, eps: Float) throws {
        self.eps = eps
        weight = try w.take(join(path, "weight"), [c])
        bias = try w.take(join(path, "bias"), [c])
    }

    /// x [..., C] → same shape
    public func callAsFunction(_ x: Tensor) -> Tensor { x.layerNorm(weight: weight, bias: bias, eps: eps) }
}

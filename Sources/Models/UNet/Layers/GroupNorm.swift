// torch.nn.GroupNorm with its affine weights.
import Tensor

/// torch.nn.GroupNorm(groups, channels, eps, affine=True). Keys `<path>.weight`, `<path>.bias` [C].
public struct GroupNorm {
    public var groups: Int
    public var eps: Float
    public var weight: Tensor   // [C]
    public var bias: Tensor     // [C]

    public init(_ w: WeightLoader, _ path: String, groups: Int, channels c: Int, eps: Float) throws {
        self.groups = groups
        self.eps = eps
        weight = try w.take(join(path, "weight"), [c])
        bias = try w.take(join(path, "bias"), [c])
    }

    /// x [B, C, ...] → same shape; `silu` fuses the SiLU that follows every GroupNorm in a ResnetBlock2D.
    public func callAsFunction(_ x: Tensor, silu: Bool = false) -> Tensor {
        x.groupNorm(groups: groups, weight: weight, bias: bias, eps: eps, silu: silu)
    }

    /// The same, written over `x` (taken by value): no second buffer of x's size where the caller lets x go.
    /// Values identical to `callAsFunction` (same kernel, per group statistics taken before its channels change).
    public func inPlace(_ x: consuming Tensor, silu: Bool = false) -> Tensor {
        var y = consume x
        y.groupNormInPlace(groups: groups, weight: weight, bias: bias, eps: eps, silu: silu)
        return y
    }
}

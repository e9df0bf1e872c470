// torch.nn.Conv2d (groups 1) with its weights.
import Tensor

/// torch.nn.Conv2d: weight [O, I, k, k], bias [O]. Keys `<path>.weight`, `<path>.bias`.
public struct Conv2d {
    public var weight: Parameter   // [O, I, k, k], float32 or half (WeightResidency)
    public var bias: Tensor?    // [O]
    public var stride: Int
    public var padding: Padding2D

    public init(_ w: WeightLoader, _ path: String, in i: Int, out o: Int, kernel k: Int, stride: Int = 1,
                padding: Int = 0, bias: Bool = true) throws {
        weight = try w.takeParameter(join(path, "weight"), [o, i, k, k])
        self.bias = bias ? try w.take(join(path, "bias"), [o]) : nil
        self.stride = stride
        self.padding = Padding2D(padding)
    }

    /// x [B, I, H, W] → [B, O, OH, OW]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }

    public var outChannels: Int { weight.shape[0] }
}

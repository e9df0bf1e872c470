// torch.nn.Linear with its weights.
import Tensor

/// torch.nn.Linear: weight [out, in], optional bias [out]. Keys `<path>.weight`, `<path>.bias`.
public struct Linear {
    public var weight: Parameter   // [O, I], float32 or half (WeightResidency)
    public var bias: Tensor?    // [O]

    public init(_ w: WeightLoader, _ path: String, in i: Int, out o: Int, bias: Bool = true) throws {
        weight = try w.takeParameter(join(path, "weight"), [o, i])
        self.bias = bias ? try w.take(join(path, "bias"), [o]) : nil
    }

    /// x [..., I] → [..., O]
    public func callAsFunction(_ x: Tensor) -> Tensor { x.linear(weight: weight, bias: bias) }

    /// The same values written over x's buffer when O ≤ I and x is large (`Tensor.linearInPlace`).
    public func inPlace(_ x: consuming Tensor) -> Tensor {
        Tensor.linearInPlace(consume x, weight: weight, bias: bias)
    }
}

extension Linear {
    /// A Linear from tensors already taken (a 1×1 conv weight [O, I, 1, 1] acts as [O, I]).
    public init(weight: Tensor, bias: Tensor?) {
        self.init(weight: Parameter(weight), bias: bias)
    }

    public init(weight: Parameter, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
    }
}

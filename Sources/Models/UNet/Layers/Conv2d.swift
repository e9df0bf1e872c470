// torch.nn.Conv2d (groups 1) with its weights.
import Tensor

/// torch.nn.Conv2d: weight [O, I, k, k], bias [O]. Keys `<path>.weight`, `<path>.bias`.
public struct Conv2d {
    public var weight: Parameter { didSet { winograd = WinogradWeightCache() } }   // [O, I, k, k], f32 or half
    public var bias: Tensor?    // [O]
    public var stride: Int
    public var padding: Padding2D
    /// Transformed float32 weights for the Winograd path, kept from its first call (shared by copies of the
    /// layer until one of them sets another weight).
    public private(set) var winograd = WinogradWeightCache()

    public init(_ w: WeightLoader, _ path: String, in i: Int, out o: Int, kernel k: Int, stride: Int = 1,
                padding: Int = 0, bias: Bool = true) throws {
        weight = try w.takeParameter(join(path, "weight"), [o, i, k, k])
        self.bias = bias ? try w.take(join(path, "bias"), [o]) : nil
        self.stride = stride
        self.padding = Padding2D(padding)
    }

    /// x [B, I, H, W] → [B, O, OH, OW]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let o = outChannels, block = weight.rowsPerBlock
        guard block < o, !x.conv2dTakesWinograd(weightShape: weight.shape, stride: stride, padding: padding,
                                                 weightIsHalf: weight.isHalf) else {
            return x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, cache: winograd)
        }
        // A large half weight on the im2col path (Winograd widens while it transforms): convolve blocks of output
        // channels, each widened on its own, so the widening scratch stays ≤ Parameter.wideningBlockFloats.
        var out: Tensor?
        var o0 = 0
        while o0 < o {
            let n = min(block, o - o0)
            let b = bias.map { Tensor(shape: [n], data: Array($0.data[o0..<(o0 + n)])) }
            let part = x.conv2d(weight: weight.rows(o0, n), bias: b, stride: stride, padding: padding)  // [B, n, OH, OW]
            let (batch, plane) = (part.shape[0], part.shape[2] * part.shape[3])
            if out == nil { out = Tensor(uninitialized: [batch, o, part.shape[2], part.shape[3]]) }
            out!.data.withUnsafeMutableBufferPointer { dst in
                part.data.withUnsafeBufferPointer { src in
                    for s in 0..<batch {
                        (dst.baseAddress! + (s * o + o0) * plane).update(from: src.baseAddress! + s * n * plane,
                                                                         count: n * plane)
                    }
                }
            }
            o0 += n
        }
        return out!
    }

    public var outChannels: Int { weight.shape[0] }
}

// diffusers UNetMidBlock2D as AutoencoderKL's encoder and decoder use it: resnet → attention → resnet, no time
// embedding, eps 1e-6.
import Tensor

public struct VAEMidBlock {
    public var resnets: [ResnetBlock2D]
    public var attention: VAEAttention?

    public init(_ w: WeightLoader, _ path: String, channels c: Int, groups: Int, addAttention: Bool) throws {
        resnets = try (0..<2).map {
            try ResnetBlock2D(w, path + ".resnets.\($0)", in: c, out: c, tembChannels: nil, groups: groups, eps: 1e-6)
        }
        attention = addAttention ? try VAEAttention(w, path + ".attentions.0", channels: c, groups: groups) : nil
    }

    /// [B, C, H, W] → [B, C, H, W]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = resnets[0](x, siluTemb: nil, taps: .none)
        if let attention { h = attention(h) }
        return resnets[1](h, siluTemb: nil, taps: .none)
    }
}

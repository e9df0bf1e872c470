// diffusers UNetMidBlock2DCrossAttn: resnets.0 → attentions.0 → resnets.1 at the lowest resolution.
import Tensor

public struct UNetMidBlock2DCrossAttn {
    public let path: String
    public var resnets: [ResnetBlock2D]
    public var attentions: [Transformer2DModel]

    public init(_ w: WeightLoader, _ path: String, config: UNetConfig) throws {
        self.path = path
        let n = config.blockOutChannels.count
        let c = config.blockOutChannels[n - 1]
        let temb = config.blockOutChannels[0] * 4
        resnets = try (0..<2).map {
            try ResnetBlock2D(w, join(path, "resnets.\($0)"), in: c, out: c, tembChannels: temb,
                              groups: config.normNumGroups, eps: config.normEps)
        }
        attentions = [try Transformer2DModel(w, join(path, "attentions.0"), channels: c,
                                             contextChannels: config.crossAttentionDim, heads: config.heads(n - 1),
                                             layers: config.transformerLayers(n - 1), groups: config.normNumGroups,
                                             linearProjection: config.useLinearProjection)]
    }

    /// [B, C, H, W] → [B, C, H, W]
    func callAsFunction(_ x: Tensor, siluTemb: Tensor, context: Tensor, taps: TapPlan) -> Tensor {
        var h = resnets[0](x, siluTemb: siluTemb, taps: taps)
        h = attentions[0](h, context: context, taps: taps)
        h = resnets[1](h, siluTemb: siluTemb, taps: taps)
        taps.visit(path, &h)
        return h
    }
}

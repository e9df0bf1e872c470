// diffusers CrossAttnDownBlock2D (resnets interleaved with Transformer2DModels) and DownBlock2D (resnets only),
// each ending with a Downsample2D except the last level.
import Tensor

/// One down level: `layers` × (ResnetBlock2D [→ Transformer2DModel]), then an optional downsampler.
/// Every layer's output and the downsampler's are handed on as skip connections.
public struct DownBlock2D {
    public let path: String
    public var resnets: [ResnetBlock2D]
    /// Empty for DownBlock2D.
    public var attentions: [Transformer2DModel]
    public var downsampler: Downsample2D?

    public init(_ w: WeightLoader, _ path: String, config: UNetConfig, level i: Int, crossAttention: Bool,
                addDownsample: Bool) throws {
        self.path = path
        let input = i == 0 ? config.blockOutChannels[0] : config.blockOutChannels[i - 1]
        let output = config.blockOutChannels[i]
        let temb = config.blockOutChannels[0] * 4
        resnets = try (0..<config.layersPerBlock).map {
            try ResnetBlock2D(w, join(path, "resnets.\($0)"), in: $0 == 0 ? input : output, out: output,
                              tembChannels: temb, groups: config.normNumGroups, eps: config.normEps)
        }
        attentions = crossAttention ? try (0..<config.layersPerBlock).map {
            try Transformer2DModel(w, join(path, "attentions.\($0)"), channels: output,
                                   contextChannels: config.crossAttentionDim, heads: config.heads(i),
                                   layers: config.transformerLayers(i), groups: config.normNumGroups,
                                   linearProjection: config.useLinearProjection)
        } : []
        downsampler = addDownsample ? try Downsample2D(w, join(path, "downsamplers.0"), channels: output,
                                                       padding: config.downsamplePadding) : nil
    }

    /// x [B, I, H, W] → ([B, O, H', W'], skip states in order)
    func callAsFunction(_ x: Tensor, siluTemb: Tensor, context: Tensor, taps: TapPlan) -> (Tensor, [Tensor]) {
        var h = x
        var states: [Tensor] = []
        for (j, resnet) in resnets.enumerated() {
            h = resnet(h, siluTemb: siluTemb, taps: taps)
            if !attentions.isEmpty { h = attentions[j](h, context: context, taps: taps) }
            states.append(h)
        }
        if let downsampler {
            h = downsampler(h)
            states.append(h)
        }
        taps.visit(path, &h)
        return (h, states)
    }
}

// diffusers CrossAttnUpBlock2D and UpBlock2D: layers_per_block + 1 resnets, each fed the running state
// concatenated with one skip connection (taken from the end), optional Transformer2DModels, then an upsampler.
import Tensor

public struct UpBlock2D {
    public let path: String
    public var resnets: [ResnetBlock2D]
    /// Empty for UpBlock2D.
    public var attentions: [Transformer2DModel]
    public var upsampler: Upsample2D?

    /// Level i counts from the bottom (up_blocks.0 is the lowest resolution).
    public init(_ w: WeightLoader, _ path: String, config: UNetConfig, level i: Int, crossAttention: Bool,
                addUpsample: Bool) throws {
        self.path = path
        let rev = Array(config.blockOutChannels.reversed())
        let n = rev.count
        let output = rev[i]
        let prevOutput = rev[max(i - 1, 0)]
        let input = rev[min(i + 1, n - 1)]
        let layers = config.layersPerBlock + 1
        let temb = config.blockOutChannels[0] * 4
        let headsLevel = n - 1 - i   // diffusers reverses the per-level head counts for the up path
        resnets = try (0..<layers).map { j in
            let skip = j == layers - 1 ? input : output
            let resIn = j == 0 ? prevOutput : output
            return try ResnetBlock2D(w, join(path, "resnets.\(j)"), in: resIn + skip, out: output,
                                     tembChannels: temb, groups: config.normNumGroups, eps: config.normEps)
        }
        attentions = crossAttention ? try (0..<layers).map {
            try Transformer2DModel(w, join(path, "attentions.\($0)"), channels: output,
                                   contextChannels: config.crossAttentionDim, heads: config.heads(headsLevel),
                                   layers: config.transformerLayers(headsLevel), groups: config.normNumGroups,
                                   linearProjection: config.useLinearProjection)
        } : []
        upsampler = addUpsample ? try Upsample2D(w, join(path, "upsamplers.0"), channels: output) : nil
        for j in resnets.indices {
            let shape = resnets[j].conv1.weight.shape
            resnets[j].conv1.scratchBudget = Self.peakScratch(inChannels: shape[1], outChannels: shape[0])
        }
        upsampler?.conv.scratchBudget = Self.peakScratch(inChannels: output, outChannels: output)
    }

    /// Winograd scratch (floats) of the convolutions that run at the UNet's memory peak, beside every skip
    /// connection not yet consumed: each resnet's conv1 (its input is a concatenation) and the upsampler. 10 MB
    /// instead of 16 where the extra passes of the weight or input transform that a smaller scratch needs write at
    /// most 32 M floats more (Conv2DWinograd.transformFloats; ~10 ms); not on the wide layers at latent 64
    /// (1280–2560 channels at 16×16 and 32×32: 42–100 M more), where they cost more than the memory is worth.
    /// With half weights: ~−4 / −9 MB peak RSS at latent 32 / 64, ~1% of a call (docs/memory.md).
    static func peakScratch(inChannels ci: Int, outChannels co: Int) -> @Sendable (Int) -> Int? {
        { tiles in
            let full = Conv2DWinograd.transformFloats(ci: ci, co: co, tiles: tiles, budget: Conv2DWinograd.scratchBudget)
            let less = Conv2DWinograd.transformFloats(ci: ci, co: co, tiles: tiles, budget: peakScratchFloats)
            return less - full <= 32 << 20 ? peakScratchFloats : nil
        }
    }

    public static let peakScratchFloats = 10 << 18

    /// Channels of the block's output.
    var outChannels: Int { upsampler?.conv.outChannels ?? resnets.last?.conv2.outChannels ?? 0 }

    /// x [B, C, H, W], skips: consumed from the end → [B, O, H', W'] (upsampled to `upsampleSize` if given;
    /// `upsampleReserve`: floats of the concatenation that follows, see Upsample2D)
    /// Takes `x` by value and hands each concatenation to the resnet, so neither the running state nor the skip
    /// outlives its concatenation (memory at the up path's peak); a state with room (the upsampler's) grows in place.
    func callAsFunction(_ x: consuming Tensor, skips: inout [Tensor], siluTemb: Tensor, context: Tensor,
                        upsampleSize: (Int, Int)?, upsampleReserve: Int = 0, taps: TapPlan) -> Tensor {
        var h = consume x
        for (j, resnet) in resnets.enumerated() {
            h = resnet(Tensor.concatChannels(consume h, skips.removeLast()), siluTemb: siluTemb, taps: taps)
            if !attentions.isEmpty { h = attentions[j](h, context: context, taps: taps) }
        }
        if let upsampler { h = upsampler(consume h, size: upsampleSize, reserve: upsampleReserve) }
        taps.visit(path, &h)
        return h
    }
}

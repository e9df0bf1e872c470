// diffusers Decoder (AutoencoderKL.decoder): conv_in → mid block → UpDecoderBlock2Ds → norm, SiLU, conv_out.
import Tensor

public struct VAEDecoder {
    public var convIn: Conv2d
    public var midBlock: VAEMidBlock
    /// Per level (lowest resolution first): layers_per_block + 1 resnets and (all but the last) an upsampler.
    public var upResnets: [[ResnetBlock2D]]
    public var upsamplers: [Upsample2D?]
    public var convNormOut: GroupNorm
    public var convOut: Conv2d

    public init(_ w: WeightLoader, config: VAEConfig) throws {
        let rev = Array(config.blockOutChannels.reversed()), n = rev.count, g = config.normNumGroups
        convIn = try Conv2d(w, "decoder.conv_in", in: config.latentChannels, out: rev[0], kernel: 3, padding: 1)
        midBlock = try VAEMidBlock(w, "decoder.mid_block", channels: rev[0], groups: g,
                                   addAttention: config.midBlockAddAttention)
        upResnets = try (0..<n).map { i in
            let prev = i == 0 ? rev[0] : rev[i - 1]
            return try (0...config.layersPerBlock).map { j in
                try ResnetBlock2D(w, "decoder.up_blocks.\(i).resnets.\(j)", in: j == 0 ? prev : rev[i], out: rev[i],
                                  tembChannels: nil, groups: g, eps: 1e-6)
            }
        }
        upsamplers = try (0..<n).map { i in
            i < n - 1 ? try Upsample2D(w, "decoder.up_blocks.\(i).upsamplers.0", channels: rev[i]) : nil
        }
        convNormOut = try GroupNorm(w, "decoder.conv_norm_out", groups: g, channels: rev[n - 1], eps: 1e-6)
        convOut = try Conv2d(w, "decoder.conv_out", in: rev[n - 1], out: config.outChannels, kernel: 3, padding: 1)
    }

    /// z [B, L, h, w] → image [B, 3, h·f, w·f]
    public func callAsFunction(_ z: Tensor) -> Tensor {
        var h = midBlock(convIn(z))
        for (i, level) in upResnets.enumerated() {
            for r in level { h = r(h, siluTemb: nil, taps: .none) }
            if let u = upsamplers[i] { h = u(h) }
        }
        return convOut(convNormOut(h, silu: true))
    }
}

// diffusers Encoder (AutoencoderKL.encoder): conv_in → DownEncoderBlock2Ds → mid block → norm, SiLU, conv_out
// to 2 · latent channels (mean and log-variance).
import Tensor

public struct VAEEncoder {
    public var convIn: Conv2d
    /// Per level: its resnets and (all but the last level) a downsampler (pad right/bottom 1, stride 2).
    public var downResnets: [[ResnetBlock2D]]
    public var downsamplers: [Downsample2D?]
    public var midBlock: VAEMidBlock
    public var convNormOut: GroupNorm
    public var convOut: Conv2d

    public init(_ w: WeightLoader, config: VAEConfig) throws {
        let c = config.blockOutChannels, n = c.count, g = config.normNumGroups
        convIn = try Conv2d(w, "encoder.conv_in", in: config.inChannels, out: c[0], kernel: 3, padding: 1)
        downResnets = try (0..<n).map { i in
            try (0..<config.layersPerBlock).map { j in
                try ResnetBlock2D(w, "encoder.down_blocks.\(i).resnets.\(j)", in: j == 0 ? (i == 0 ? c[0] : c[i - 1]) : c[i],
                                  out: c[i], tembChannels: nil, groups: g, eps: 1e-6)
            }
        }
        downsamplers = try (0..<n).map { i in
            i < n - 1 ? try Downsample2D(w, "encoder.down_blocks.\(i).downsamplers.0", channels: c[i], padding: 0) : nil
        }
        midBlock = try VAEMidBlock(w, "encoder.mid_block", channels: c[n - 1], groups: g,
                                   addAttention: config.midBlockAddAttention)
        convNormOut = try GroupNorm(w, "encoder.conv_norm_out", groups: g, channels: c[n - 1], eps: 1e-6)
        convOut = try Conv2d(w, "encoder.conv_out", in: c[n - 1], out: 2 * config.latentChannels, kernel: 3, padding: 1)
    }

    /// image [B, 3, H, W] → moments [B, 2L, H/f, W/f]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = convIn(x)
        for (i, level) in downResnets.enumerated() {
            for r in level { h = r(h, siluTemb: nil, taps: .none) }
            if let d = downsamplers[i] { h = d(h) }
        }
        h = midBlock(h)
        return convOut(convNormOut(h, silu: true))
    }
}

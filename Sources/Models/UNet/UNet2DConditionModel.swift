// diffusers UNet2DConditionModel in the SD v1.x topology (CrossAttnDownBlock2D…, UNetMidBlock2DCrossAttn,
// …CrossAttnUpBlock2D), float32 on the CPU, with activation taps at every block.
import Foundation
import Tensor
import Weights

/// The denoising UNet: ε̂ = unet(x_t, t, text hidden states). Weights are keyed by diffusers' state-dict names.
public final class UNet2DConditionModel {
    public let config: UNetConfig
    public var convIn: Conv2d
    public var timeEmbedding: TimestepEmbedding
    public var downBlocks: [DownBlock2D]
    public var midBlock: UNetMidBlock2DCrossAttn
    public var upBlocks: [UpBlock2D]
    public var convNormOut: GroupNorm
    public var convOut: Conv2d
    private var taps = TapPlan.none

    /// Builds the model from `weights`; every expected key must exist with its shape and no other key may remain.
    public init(config: UNetConfig, weights: WeightSource, residency: WeightResidency = .auto) throws {
        try config.validate()
        self.config = config
        let w = WeightLoader(weights, residency: residency)
        let c = config.blockOutChannels, n = c.count
        convIn = try Conv2d(w, "conv_in", in: config.inChannels, out: c[0], kernel: 3, padding: 1)
        timeEmbedding = try TimestepEmbedding(w, "time_embedding", in: c[0], out: c[0] * 4)
        downBlocks = try (0..<n).map { i in
            try DownBlock2D(w, "down_blocks.\(i)", config: config, level: i,
                            crossAttention: config.downBlockTypes[i] == "CrossAttnDownBlock2D",
                            addDownsample: i < n - 1)
        }
        midBlock = try UNetMidBlock2DCrossAttn(w, "mid_block", config: config)
        upBlocks = try (0..<n).map { i in
            try UpBlock2D(w, "up_blocks.\(i)", config: config, level: i,
                          crossAttention: config.upBlockTypes[i] == "CrossAttnUpBlock2D", addUpsample: i < n - 1)
        }
        convNormOut = try GroupNorm(w, "conv_norm_out", groups: config.normNumGroups, channels: c[0], eps: config.normEps)
        convOut = try Conv2d(w, "conv_out", in: c[0], out: config.outChannels, kernel: 3, padding: 1)
        try w.finish()
    }

    /// Attaches (or with nil detaches) a tap: asks it once for every capture path, then hands it those
    /// activations on every forward call.
    public func attach(_ tap: ActivationTap?) {
        taps = TapPlan(tap: tap, paths: layerPaths(latentHeight: config.sampleSize, latentWidth: config.sampleSize,
                                                   batch: 1).map(\.path))
    }

    /// ε̂ for sample [B, inC, H, W] at `timesteps` ([B] values, or one value for all), with
    /// encoderHiddenStates [B, S, cross_attention_dim] → [B, outC, H, W].
    public func callAsFunction(_ sample: Tensor, timesteps: [Float], encoderHiddenStates context: Tensor) throws -> Tensor {
        guard sample.shape.count == 4, sample.shape[1] == config.inChannels else {
            throw UNetError.input("sample has shape \(sample.shape), expected [B, \(config.inChannels), H, W]")
        }
        let b = sample.shape[0]
        guard context.shape.count == 3, context.shape[0] == b, context.shape[2] == config.crossAttentionDim else {
            throw UNetError.input("encoder_hidden_states has shape \(context.shape), expected [\(b), S, \(config.crossAttentionDim)]")
        }
        guard timesteps.count == 1 || timesteps.count == b else {
            throw UNetError.input("\(timesteps.count) timesteps for a batch of \(b)")
        }
        let ts = timesteps.count == 1 ? [Float](repeating: timesteps[0], count: b) : timesteps

        // Time embedding, SiLU'd once for every resnet's time_emb_proj.
        let tProj = timestepProjection(ts, channels: config.blockOutChannels[0], flipSinToCos: config.flipSinToCos,
                                       freqShift: config.freqShift)                 // [B, C0]
        let siluTemb = timeEmbedding(tProj).silu()                                      // [B, 4·C0]

        var x = config.centerInputSample ? sample.map { 2 * $0 - 1 } : sample
        x = convIn(x)                                                                 // [B, C0, H, W]
        var skips = [x]
        for block in downBlocks {
            let (h, states) = block(x, siluTemb: siluTemb, context: context, taps: taps)
            x = h
            skips += states
        }
        x = midBlock(x, siluTemb: siluTemb, context: context, taps: taps)
        for (i, block) in upBlocks.enumerated() {
            // Upsample to the spatial size of the next level's skip connection (handles odd sizes like diffusers).
            let nextSkipIndex = skips.count - block.resnets.count - 1
            let next = i < upBlocks.count - 1 && nextSkipIndex >= 0 ? skips[nextSkipIndex].shape : nil
            let size = next.map { ($0[2], $0[3]) }
            // The next block concatenates this block's output [B, O, h, w] with that skip [B, S, h, w]: the
            // upsampler's result gets room for it (Upsample2D).
            let reserve = next.map { $0[0] * (block.outChannels + $0[1]) * $0[2] * $0[3] } ?? 0
            x = block(consume x, skips: &skips, siluTemb: siluTemb, context: context, upsampleSize: size,
                      upsampleReserve: reserve, taps: taps)
        }
        x = convOut(convNormOut.inPlace(consume x, silu: true))                        // [B, outC, H, W]
        return x
    }

    /// Every capture path with its activation shape for a latent of H×W and the given batch, in execution order.
    /// `contextLength` is the text length S of the cross-attention probabilities (`…attn2.probs`).
    public func layerPaths(latentHeight h: Int, latentWidth w: Int, batch b: Int = 2,
                           contextLength: Int = 77) -> [(path: String, shape: [Int])] {
        Self.layerPaths(config: config, latentHeight: h, latentWidth: w, batch: b, contextLength: contextLength)
    }

    /// `layerPaths` from a config alone (no weights needed).
    public static func layerPaths(config: UNetConfig, latentHeight h0: Int, latentWidth w0: Int,
                                  batch b: Int = 2, contextLength: Int = 77) -> [(path: String, shape: [Int])] {
        var out: [(path: String, shape: [Int])] = []
        let c = config.blockOutChannels, n = c.count
        func transformer(_ p: String, _ ch: Int, _ h: Int, _ w: Int, _ level: Int) {
            for t in 0..<config.transformerLayers(level) {
                out.append(("\(p).transformer_blocks.\(t).attn1", [b, h * w, ch]))
                // Probabilities before the output: Attention visits them first.
                out.append(("\(p).transformer_blocks.\(t).attn2\(Attention.probsSuffix)",
                            [b, config.heads(level), h * w, contextLength]))
                out.append(("\(p).transformer_blocks.\(t).attn2", [b, h * w, ch]))
            }
            out.append((p, [b, ch, h, w]))
        }
        var (h, w) = (h0, w0)
        var sizes: [(Int, Int)] = [(h, w)]
        for i in 0..<n {
            let p = "down_blocks.\(i)"
            for j in 0..<config.layersPerBlock {
                out.append(("\(p).resnets.\(j)", [b, c[i], h, w]))
                if config.downBlockTypes[i] == "CrossAttnDownBlock2D" { transformer("\(p).attentions.\(j)", c[i], h, w, i) }
                sizes.append((h, w))
            }
            if i < n - 1 { (h, w) = ((h + 1) / 2, (w + 1) / 2); sizes.append((h, w)) }
            out.append((p, [b, c[i], h, w]))
        }
        out.append(("mid_block.resnets.0", [b, c[n - 1], h, w]))
        transformer("mid_block.attentions.0", c[n - 1], h, w, n - 1)
        out.append(("mid_block.resnets.1", [b, c[n - 1], h, w]))
        out.append(("mid_block", [b, c[n - 1], h, w]))
        let rev = Array(c.reversed())
        for i in 0..<n {
            let p = "up_blocks.\(i)"
            for j in 0...config.layersPerBlock {
                sizes.removeLast()
                out.append(("\(p).resnets.\(j)", [b, rev[i], h, w]))
                if config.upBlockTypes[i] == "CrossAttnUpBlock2D" { transformer("\(p).attentions.\(j)", rev[i], h, w, n - 1 - i) }
            }
            if i < n - 1, let next = sizes.last { (h, w) = next }
            out.append((p, [b, rev[i], h, w]))
        }
        return out
    }
}

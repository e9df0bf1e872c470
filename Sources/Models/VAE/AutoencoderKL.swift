// diffusers AutoencoderKL (SD v1.x VAE): encoder + quant_conv, post_quant_conv + decoder, float32 on the CPU.
import Foundation
import Tensor
import Weights

/// The VAE. `decode` takes latents already divided by `config.scalingFactor` (as diffusers' vae.decode does);
/// `encode` returns the latent distribution's mean and log-variance (multiply a sample by scalingFactor).
public final class AutoencoderKL {
    public let config: VAEConfig
    /// nil when built decoder-only.
    public var encoder: VAEEncoder?
    public var quantConv: Conv2d?
    public var postQuantConv: Conv2d?
    public var decoder: VAEDecoder

    /// Builds from `weights` (keys as in diffusers' vae/ state dict). `decoderOnly` skips the encoder and accepts
    /// (ignores) its keys; otherwise every key must be used.
    public init(config: VAEConfig, weights: WeightSource, decoderOnly: Bool = false,
                residency: WeightResidency = .auto) throws {
        try config.validate()
        self.config = config
        let w = WeightLoader(weights, residency: residency)
        let l = config.latentChannels
        if !decoderOnly {
            encoder = try VAEEncoder(w, config: config)
            quantConv = config.useQuantConv ? try Conv2d(w, "quant_conv", in: 2 * l, out: 2 * l, kernel: 1) : nil
        }
        postQuantConv = config.usePostQuantConv ? try Conv2d(w, "post_quant_conv", in: l, out: l, kernel: 1) : nil
        decoder = try VAEDecoder(w, config: config)
        try w.finish(ignore: { decoderOnly && ($0.hasPrefix("encoder.") || $0.hasPrefix("quant_conv.")) })
    }

    /// latents [B, L, h, w] (already / scalingFactor) → image [B, 3, 8h, 8w] in about [−1, 1]
    public func decode(_ z: Tensor) throws -> Tensor {
        guard z.shape.count == 4, z.shape[1] == config.latentChannels else {
            throw UNetError.input("latents have shape \(z.shape), expected [B, \(config.latentChannels), h, w]")
        }
        return decoder(postQuantConv.map { $0(z) } ?? z)
    }

    /// image [B, 3, H, W] in [−1, 1] → (mean, logvar) each [B, L, H/8, W/8] (logvar clamped to [−30, 20])
    public func encode(_ image: Tensor) throws -> (mean: Tensor, logvar: Tensor) {
        guard let encoder else { throw UNetError.input("this VAE was loaded decoder-only") }
        guard image.shape.count == 4, image.shape[1] == config.inChannels else {
            throw UNetError.input("image has shape \(image.shape), expected [B, \(config.inChannels), H, W]")
        }
        var m = encoder(image)
        if let quantConv { m = quantConv(m) }
        let l = config.latentChannels
        let parts = m.splitChannels([l, l])
        return (parts[0], parts[1].map { min(max($0, -30), 20) })
    }
}

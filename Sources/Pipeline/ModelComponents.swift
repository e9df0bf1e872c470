// The three networks the pipeline drives, as small protocols: the concrete CLIP text encoder + tokenizer, UNet and
// VAE decoder (Sources/Models) conform in StableDiffusionModel.swift; tests may substitute their own.
import Models
import Tensor

/// prompt → text hidden states [B, 77, D] (tokenizer + CLIP text encoder, last hidden state as diffusers uses it).
public protocol PromptEncoder: AnyObject {
    /// One row per prompt: [B, S, D].
    func encode(_ prompts: [String]) throws -> Tensor
}

/// The denoising UNet with activation taps.
public protocol NoisePredictor: AnyObject {
    /// ε̂ [B, 4, h, w] for sample [B, 4, h, w] at one timestep with text states [B, S, D].
    func predictNoise(_ sample: Tensor, timestep: Float, context: Tensor) throws -> Tensor
    /// Attaches (nil: detaches) the tap that receives activations during predictNoise.
    func attach(_ tap: ActivationTap?)
    /// Every capture point for a latent of h×w, in execution order.
    func capturePoints(latentHeight h: Int, latentWidth w: Int) -> [CapturePoint]
    /// Latent channels (4 for SD).
    var latentChannels: Int { get }
}

/// The VAE encoder (img2img): images [B, 3, 8h, 8w] in [−1, 1] → the latent distribution's mean and log-variance
/// (clamped to [−30, 20]), each [B, 4, h, w], before the scaling factor.
public protocol LatentEncoder: AnyObject {
    func encode(_ image: Tensor) throws -> (mean: Tensor, logvar: Tensor)
}

/// The VAE decoder: latents (already divided by the scaling factor) [B, 4, h, w] → images [B, 3, 8h, 8w] in ≈[-1, 1].
public protocol LatentDecoder: AnyObject {
    func decode(_ latents: Tensor) throws -> Tensor
}

extension UNet2DConditionModel: NoisePredictor {
    public func predictNoise(_ sample: Tensor, timestep: Float, context: Tensor) throws -> Tensor {
        try self(sample, timesteps: [timestep], encoderHiddenStates: context)
    }

    public func capturePoints(latentHeight h: Int, latentWidth w: Int) -> [CapturePoint] {
        CapturePoint.from(layerPaths: layerPaths(latentHeight: h, latentWidth: w, batch: 2))
    }

    public var latentChannels: Int { config.inChannels }
}

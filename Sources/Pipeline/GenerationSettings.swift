// The parameters of a text-to-image run that do not depend on the model (defaults: the probing studies').

/// How to generate: steps, guidance, size, negative prompt.
public struct GenerationSettings: Equatable, Sendable {
    /// User steps (num_inference_steps); the sampler decides the number of UNet calls (PNDM: steps + 1).
    public var steps = 15
    /// Classifier-free guidance scale g: ε = u + g·(c − u). At g ≤ 1 only the conditional branch is computed
    /// (as diffusers' StableDiffusionPipeline does).
    public var guidance: Double = 7.5
    /// Image size in pixels (multiples of 8); the latent is [1, 4, height/8, width/8].
    public var height = 512
    public var width = 512
    /// The unconditional prompt (diffusers' negative_prompt; "" by default).
    public var negativePrompt = ""

    public init(steps: Int = 15, guidance: Double = 7.5, height: Int = 512, width: Int = 512, negativePrompt: String = "") {
        self.steps = steps
        self.guidance = guidance
        self.height = height
        self.width = width
        self.negativePrompt = negativePrompt
    }

    /// True when the UNet batch is [uncond, cond].
    public var usesGuidance: Bool { guidance > 1 }

    public var latentHeight: Int { height / 8 }
    public var latentWidth: Int { width / 8 }

    public func validate() throws {
        guard steps >= 1 else { throw PipelineError.invalidOption(option: "--steps", reason: "\(steps) must be ≥ 1") }
        guard height >= 8, width >= 8, height % 8 == 0, width % 8 == 0 else {
            throw PipelineError.invalidOption(option: "--height/--width",
                                              reason: "\(height)×\(width) must be positive multiples of 8")
        }
        guard guidance.isFinite else { throw PipelineError.invalidOption(option: "--guidance", reason: "not finite") }
    }
}

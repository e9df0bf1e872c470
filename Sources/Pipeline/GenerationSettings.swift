// The parameters of a text-to-image (or img2img) run that do not depend on the model (defaults: the probing
// studies').
import Foundation

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
    /// img2img: a PNG of height × width pixels to start from (nil: text → image).
    public var initImage: URL? = nil
    /// img2img: how much of the schedule to run from the noised init image, in (0, 1] (diffusers' strength):
    /// the last int(steps · strength) steps are kept. Ignored without `initImage`.
    public var strength: Double = 0.8

    public init(steps: Int = 15, guidance: Double = 7.5, height: Int = 512, width: Int = 512, negativePrompt: String = "",
                initImage: URL? = nil, strength: Double = 0.8) {
        self.steps = steps
        self.guidance = guidance
        self.height = height
        self.width = width
        self.negativePrompt = negativePrompt
        self.initImage = initImage
        self.strength = strength
    }

    /// True when the UNet batch is [uncond, cond].
    public var usesGuidance: Bool { guidance > 1 }

    public var latentHeight: Int { height / 8 }
    public var latentWidth: Int { width / 8 }

    /// Bounds every size is checked against before anything is allocated from it.
    public static let maxSteps = 10_000
    public static let maxSide = 8192
    /// |guidance| beyond this only overflows float32 (ε = u + g·(c − u) with g = 1e308 is ±inf).
    public static let maxGuidance = 1000.0

    public func validate() throws {
        guard (1...Self.maxSteps).contains(steps) else {
            throw PipelineError.invalidOption(option: "--steps", reason: "\(steps) must be in 1…\(Self.maxSteps)")
        }
        guard (8...Self.maxSide).contains(height), (8...Self.maxSide).contains(width), height % 8 == 0, width % 8 == 0 else {
            throw PipelineError.invalidOption(option: "--height/--width",
                                              reason: "\(height)×\(width) must be multiples of 8 in 8…\(Self.maxSide)")
        }
        guard guidance.isFinite, abs(guidance) <= Self.maxGuidance else {
            throw PipelineError.invalidOption(option: "--guidance",
                                              reason: "\(guidance) must be a finite number in −\(Int(Self.maxGuidance))…\(Int(Self.maxGuidance))")
        }
        if initImage != nil {
            guard strength > 0, strength <= 1 else {
                throw PipelineError.invalidOption(option: "--strength", reason: "\(strength) must be in (0, 1]")
            }
            guard Img2ImgStart.beginStep(steps: steps, strength: strength) < steps else {
                throw PipelineError.invalidOption(option: "--strength",
                    reason: "\(strength) keeps no step of \(steps) (int(steps · strength) = 0); raise --strength or --steps")
            }
        }
    }
}

// Shared option group: how to sample — inference steps, guidance, image size (default: the model's
// sample_size × 8), negative prompt, and (issue #12, img2img) an init image with its strength.
import ArgumentParser
import Foundation
import Studies

struct SamplingOptions: ParsableArguments {
    @Option(help: "Inference steps (the sampler decides the UNet calls: PNDM makes steps + 1; default 15).")
    var steps: Int?

    @Option(help: "Classifier-free guidance scale (≤ 1: no unconditional branch; default 7.5).")
    var guidance: Double?

    @Option(help: "Image height in pixels, a multiple of 8 (default: the model's sample_size × 8).")
    var height: Int?

    @Option(help: "Image width in pixels, a multiple of 8 (default: the height, else the model's).")
    var width: Int?

    @Option(help: "The unconditional prompt for classifier-free guidance.")
    var negativePrompt = ""

    @Option(help: ArgumentHelp("img2img: start from this PNG, noised to --strength (issue #12).", valueName: "png"))
    var initImage: String?

    @Option(help: "img2img: how much of the schedule to run from the init image, in (0, 1].")
    var strength = 0.8

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be ≥ 1 (the number of inference steps)") }
        for (flag, v) in [("height", height), ("width", width)] {
            if let v, v <= 0 || v % 8 != 0 { throw ValidationError("--\(flag) must be a positive multiple of 8, got \(v)") }
        }
        guard strength > 0, strength <= 1 else { throw ValidationError("--strength must be in (0, 1]") }
    }

    /// The generation config for `model`; `defaults` fill what was not given (a preset).
    func config(_ model: ModelOptions, modelPath: String, steps defaultSteps: Int = 15, height defaultHeight: Int? = nil,
                width defaultWidth: Int? = nil) -> GenerationConfig {
        var g = GenerationConfig(model: modelPath)
        g.tokenizer = model.tokenizer
        g.weightsVariant = model.weightsVariant
        g.weightsInMemory = model.weightsInMemory
        g.steps = steps ?? defaultSteps
        g.guidance = guidance ?? 7.5
        g.height = height ?? defaultHeight
        g.width = width ?? defaultWidth
        g.negativePrompt = negativePrompt
        g.initImage = initImage.map { URL(fileURLWithPath: $0) }
        g.strength = strength
        return g
    }
}

// What every generating command shares: the model, the sampling settings and the image size. The image size
// defaults from the model's config (UNet sample_size × 8), as `layers` always did.
import Foundation
import Pipeline
import PluginHost
import Weights

public struct GenerationConfig: Codable, Sendable {
    /// A diffusers folder or a single-file SD v1 checkpoint.
    public var model: String
    /// Tokenizer folder when the model has none.
    public var tokenizer: String?
    public var weightsVariant: String = StableDiffusionModel.Variant.auto.rawValue
    /// `--weights-in-memory`: auto, f32 or f16 (WeightResidency); nil is auto.
    public var weightsInMemory: String?
    /// Inference steps (the sampler decides the UNet calls: PNDM makes steps + 1).
    public var steps = 15
    public var guidance = 7.5
    /// nil: the model's sample_size × 8.
    public var height: Int?
    public var width: Int?
    public var negativePrompt = ""
    /// Permute every UNet weight tensor's elements with this seed (the permuted-weights control).
    public var permuteUNetSeed: UInt64?
    /// img2img: start from this PNG (VAE-encoded, noised to `strength` of the schedule), as diffusers'
    /// StableDiffusionImg2ImgPipeline.
    public var initImage: URL?
    public var strength = 0.8

    public init(model: String) { self.model = model }
}

/// A loaded model with its fingerprint, ready to build pipelines for any sampler.
public final class LoadedModel {
    public let config: GenerationConfig
    public let sd: StableDiffusionModel
    public let hash: (combined: String, files: [ModelFingerprint.FileHash])
    public let settings: GenerationSettings

    public init(_ config: GenerationConfig) throws {
        guard let variant = StableDiffusionModel.Variant(rawValue: config.weightsVariant) else {
            throw StudiesError.option(flag: "weights-variant", value: config.weightsVariant, reason: "use auto, fp32 or fp16")
        }
        guard let residency = WeightResidency(rawValue: config.weightsInMemory ?? "auto") else {
            throw StudiesError.option(flag: "weights-in-memory", value: config.weightsInMemory ?? "",
                                      reason: "use auto, f32 or f16")
        }
        self.config = config
        sd = try StableDiffusionModel(path: config.model, variant: variant, tokenizerFolder: config.tokenizer,
                                      permuteUNetSeed: config.permuteUNetSeed, withEncoder: config.initImage != nil,
                                      residency: residency)
        let h = try ModelFingerprint.hash(files: sd.weightFiles, root: sd.path)
        hash = (h.combined, h.files)
        let side = sd.unet.config.sampleSize * 8
        let height = config.height ?? side, width = config.width ?? config.height ?? side
        for (flag, v) in [("height", height), ("width", width)] where v <= 0 || v % 8 != 0 {
            throw StudiesError.option(flag: flag, value: "\(v)", reason: "must be a positive multiple of 8")
        }
        settings = GenerationSettings(steps: config.steps, guidance: config.guidance, height: height, width: width,
                                      negativePrompt: config.negativePrompt, initImage: config.initImage,
                                      strength: config.strength)
    }

    /// A pipeline on this model with `sampler`.
    public func pipeline(_ sampler: SamplerPlugin) throws -> DiffusionPipeline {
        try DiffusionPipeline(textEncoder: sd.textEncoder, unet: sd.unet, decoder: sd.decoder,
                              scalingFactor: sd.scalingFactor, sampler: sampler,
                              schedulerConfigJSON: sd.schedulerConfigJSON, settings: settings, encoder: sd.encoder)
    }

    /// A generation run of `pipeline` into `folder`, recording this model and the sampler in the manifest.
    public func run(_ pipeline: DiffusionPipeline, sampler: SamplerPlugin, folder: RunFolder,
                    options: RunOptions) throws -> GenerationRun {
        let params = Dictionary(sampler.parameters.values.map { ($0.name, $0.stringValue) },
                                uniquingKeysWith: { a, _ in a })
        return try GenerationRun(
            pipeline: pipeline, folder: folder, options: options,
            model: .init(path: sd.path, weightsHash: hash.combined, files: hash.files,
                         unetPermutationSeed: config.permuteUNetSeed),
            samplerName: sampler.info.name, samplerVersion: sampler.info.version,
            samplerParameters: params, vaeScalingFactor: Double(sd.scalingFactor))
    }
}

// Loads an SD v1.x model for the pipeline from a diffusers folder (model_index.json layout):
//   unet/  vae/  text_encoder/  (config.json + safetensors, fp32 or the .fp16 variant)
//   tokenizer/ (vocab.json, merges.txt)   scheduler/scheduler_config.json (optional)
// or from a single-file CompVis checkpoint (SD v1.x configs; the tokenizer then comes from --tokenizer),
// and adapts the concrete networks of Sources/Models to the pipeline's protocols. Every weight file read is listed
// for the manifest's weights hash.
import Foundation
import Models
import Tensor
import Tokenizer
import Weights

/// The networks and files of one model.
public final class StableDiffusionModel {
    public let path: String
    public let unet: UNet2DConditionModel
    public let vae: AutoencoderKL
    public let textEncoder: CLIPPromptEncoder
    public let schedulerConfigJSON: String?
    /// Absolute paths of the weight files loaded (hashed into the manifest).
    public let weightFiles: [String]

    /// Which stored precision to read. Weights are computed in float32 either way.
    public enum Variant: String, Sendable, CaseIterable {
        /// The fp32 files when present, else the .fp16 ones.
        case auto
        /// fp32 files only.
        case fp32
        /// The .fp16 files where a component has them, else its fp32 file.
        case fp16
    }

    /// Loads a diffusers folder. `tokenizerFolder` overrides `<path>/tokenizer` (a folder with vocab.json and
    /// merges.txt). Errors name the missing folder or file.
    /// `permuteUNetSeed`: the studies' control — every UNet weight tensor's elements permuted (WeightPermutation).
    /// `withEncoder`: also load the VAE encoder (img2img); otherwise the VAE is decoder-only.
    /// `residency`: how conv and linear weights stay in memory (auto: a .fp16 file's stay half).
    public init(path: String, variant: Variant = .auto, tokenizerFolder: String? = nil,
                permuteUNetSeed: UInt64? = nil, withEncoder: Bool = false,
                residency: WeightResidency = .auto) throws {
        func unetSource(_ w: WeightSource) -> WeightSource {
            permuteUNetSeed.map { PermutedWeightSource(base: w, seed: $0) } ?? w
        }
        let root = URL(fileURLWithPath: path).standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir) else {
            throw PipelineError.model(path: root.path, reason: "no such file or folder")
        }
        self.path = root.path
        guard isDir.boolValue else {
            // A single-file CompVis checkpoint (.ckpt / .safetensors): SD v1.x configs, tokenizer from --tokenizer.
            guard let tokenizerFolder else {
                throw PipelineError.model(path: root.path,
                    reason: "a single-file checkpoint has no tokenizer: pass --tokenizer DIR (vocab.json, merges.txt)")
            }
            do {
                let ckpt = try CompVisCheckpoint(path: root.path)
                unet = try UNet2DConditionModel(config: UNetConfig(), weights: unetSource(ckpt.unet), residency: residency)
                vae = try AutoencoderKL(config: VAEConfig.sdV14, weights: ckpt.vae, decoderOnly: !withEncoder,
                                        residency: residency)
                let text = try CLIPTextModel(config: CLIPTextConfig(), weights: ckpt.textEncoder, residency: residency)
                let tokenizer = try CLIPTokenizer(folder: URL(fileURLWithPath: tokenizerFolder),
                                                  maxLength: text.config.maxPositionEmbeddings)
                textEncoder = CLIPPromptEncoder(tokenizer: tokenizer, model: text)
            } catch {
                throw PipelineError.model(path: root.path, reason: "\(error)")
            }
            weightFiles = [root.path]
            schedulerConfigJSON = nil
            return
        }
        func sub(_ name: String) throws -> URL {
            let u = root.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: u.appendingPathComponent("config.json").path) else {
                throw PipelineError.model(path: u.path, reason: "missing \(name)/config.json")
            }
            return u
        }
        func weights(_ folder: URL, _ stem: String) throws -> (String, SafetensorsFile) {
            let fp32 = folder.appendingPathComponent("\(stem).safetensors").path
            let fp16 = folder.appendingPathComponent("\(stem).fp16.safetensors").path
            let fm = FileManager.default
            let candidates: [String]
            switch variant {
            case .auto: candidates = [fp32, fp16]
            case .fp32: candidates = [fp32]
            case .fp16: candidates = [fp16, fp32] // components without an fp16 file stay fp32
            }
            guard let file = candidates.first(where: { fm.fileExists(atPath: $0) }) else {
                throw PipelineError.model(path: folder.path,
                    reason: "no \(candidates.map { ($0 as NSString).lastPathComponent }.joined(separator: " or "))")
            }
            do { return (file, try SafetensorsFile(path: file)) } catch {
                throw PipelineError.model(path: file, reason: "\(error)")
            }
        }
        do {
            let unetDir = try sub("unet"), vaeDir = try sub("vae"), textDir = try sub("text_encoder")
            let (uf, uw) = try weights(unetDir, "diffusion_pytorch_model")
            let (vf, vw) = try weights(vaeDir, "diffusion_pytorch_model")
            let (tf, tw) = try weights(textDir, "model")
            unet = try UNet2DConditionModel(config: UNetConfig.load(unetDir.appendingPathComponent("config.json")),
                                             weights: unetSource(uw), residency: residency)
            vae = try AutoencoderKL(config: VAEConfig.load(vaeDir.appendingPathComponent("config.json")), weights: vw,
                                    decoderOnly: !withEncoder, residency: residency)
            let text = try CLIPTextModel(folder: textDir, weights: tw, residency: residency)
            let tokDir = tokenizerFolder.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent("tokenizer")
            guard FileManager.default.fileExists(atPath: tokDir.appendingPathComponent("vocab.json").path) else {
                throw PipelineError.model(path: tokDir.path, reason: "missing tokenizer/vocab.json and merges.txt")
            }
            let tokenizer = try CLIPTokenizer(folder: tokDir, maxLength: text.config.maxPositionEmbeddings)
            textEncoder = CLIPPromptEncoder(tokenizer: tokenizer, model: text)
            weightFiles = [uf, vf, tf]
        } catch let e as PipelineError { throw e } catch {
            throw PipelineError.model(path: root.path, reason: "\(error)")
        }
        let schedulerURL = root.appendingPathComponent("scheduler/scheduler_config.json")
        schedulerConfigJSON = try? String(contentsOf: schedulerURL, encoding: .utf8)
    }

    /// The decoder half of the VAE as the pipeline sees it.
    public var decoder: LatentDecoder { VAEDecoderAdapter(vae) }
    public var scalingFactor: Float { vae.config.scalingFactor }
    /// The encoder half of the VAE (nil unless loaded `withEncoder`).
    public var encoder: LatentEncoder? { vae.encoder == nil ? nil : VAEEncoderAdapter(vae) }
}

/// Tokenizer + CLIP text encoder: prompts → last_hidden_state [B, 77, D], as diffusers' encode_prompt.
public final class CLIPPromptEncoder: PromptEncoder {
    public let tokenizer: CLIPTokenizer
    public let model: CLIPTextModel

    public init(tokenizer: CLIPTokenizer, model: CLIPTextModel) {
        self.tokenizer = tokenizer
        self.model = model
    }

    public func encode(_ prompts: [String]) throws -> Tensor {
        try model(prompts.map { tokenizer.encode($0) })                               // [B, 77, D]
    }
}

/// AutoencoderKL.decode as a LatentDecoder.
final class VAEDecoderAdapter: LatentDecoder {
    let vae: AutoencoderKL
    init(_ vae: AutoencoderKL) { self.vae = vae }
    func decode(_ latents: Tensor) throws -> Tensor { try vae.decode(latents) }           // [B, 3, 8h, 8w]
}

/// AutoencoderKL.encode as a LatentEncoder.
final class VAEEncoderAdapter: LatentEncoder {
    let vae: AutoencoderKL
    init(_ vae: AutoencoderKL) { self.vae = vae }
    func encode(_ image: Tensor) throws -> (mean: Tensor, logvar: Tensor) { try vae.encode(image) }  // [B, 4, h, w] ×2
}

// DiffusersModelFolder: a model folder as published for CompVis/stable-diffusion-v1-4 —
//   model_index.json, unet/ vae/ text_encoder/ tokenizer/ scheduler/, each with its config.json (scheduler:
//   scheduler_config.json; tokenizer: vocab.json + merges.txt);
//   weights diffusion_pytorch_model.safetensors (unet, vae) and model.safetensors (text_encoder), or their
//   `.fp16.safetensors` variants, or a sharded `*.safetensors.index.json`.
import Foundation

/// A diffusers pipeline folder and its components.
public struct DiffusersModelFolder {
    public let root: URL
    /// model_index.json, parsed (component name → [library, class], plus _class_name etc.).
    public let modelIndex: [String: Any]

    /// Which weight file to prefer when both exist.
    public enum Variant: String, Sendable { case fp32, fp16 }

    public init(path: String) throws {
        root = URL(fileURLWithPath: path)
        let indexURL = root.appendingPathComponent("model_index.json")
        guard let data = try? Data(contentsOf: indexURL) else {
            throw WeightSourceError.badConfig(file: indexURL.path, reason: "missing: not a diffusers model folder")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw WeightSourceError.badConfig(file: indexURL.path, reason: "not a JSON object")
        }
        modelIndex = json
    }

    /// The folder of a component ("unet", "vae", "text_encoder", "tokenizer", "scheduler"); it must exist.
    public func component(_ name: String) throws -> URL {
        let url = root.appendingPathComponent(name)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else {
            throw WeightSourceError.badConfig(file: url.path, reason: "component folder '\(name)' is missing")
        }
        return url
    }

    /// The config.json of a component (scheduler_config.json for the scheduler).
    public func configURL(_ name: String) throws -> URL {
        let folder = try component(name)
        let url = folder.appendingPathComponent(name == "scheduler" ? "scheduler_config.json" : "config.json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw WeightSourceError.badConfig(file: url.path, reason: "missing")
        }
        return url
    }

    /// The weight file of a component: fp32 first unless `variant` is fp16 (then fp16 first); single file before
    /// a sharded index.
    public func weightsURL(_ name: String, variant: Variant = .fp32) throws -> URL {
        let folder = try component(name)
        let stems = name == "text_encoder" ? ["model", "diffusion_pytorch_model"] : ["diffusion_pytorch_model", "model"]
        let suffixes = variant == .fp16 ? [".fp16.safetensors", ".safetensors"] : [".safetensors", ".fp16.safetensors"]
        var tried: [String] = []
        for suffix in suffixes {
            for stem in stems {
                for candidate in [stem + suffix, stem + suffix + ".index.json"] {
                    let url = folder.appendingPathComponent(candidate)
                    if FileManager.default.fileExists(atPath: url.path) { return url }
                    tried.append(candidate)
                }
            }
        }
        throw WeightSourceError.badConfig(file: folder.path,
            reason: "no weights (looked for \(tried.prefix(4).joined(separator: ", ")), …; .bin/.ckpt need conversion to safetensors)")
    }

    /// The weights of a component as a WeightSource.
    public func weights(_ name: String, variant: Variant = .fp32) throws -> WeightSource {
        try WeightFiles.open(weightsURL(name, variant: variant).path)
    }
}

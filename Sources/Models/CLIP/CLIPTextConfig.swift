// CLIPTextConfig: text_encoder/config.json of a diffusers model folder (transformers' CLIPTextConfig).
import Foundation
import Weights

/// The fields of transformers' CLIPTextConfig the text encoder needs; defaults are SD v1.x's
/// (openai/clip-vit-large-patch14 text tower).
public struct CLIPTextConfig: Codable, Equatable {
    /// Token vocabulary size.
    public var vocabSize: Int = 49408
    /// Width D of the residual stream.
    public var hiddenSize: Int = 768
    /// MLP width.
    public var intermediateSize: Int = 3072
    /// Number of encoder layers.
    public var numHiddenLayers: Int = 12
    /// Attention heads per layer.
    public var numAttentionHeads: Int = 12
    /// Number of positions (the tokenizer pads to this).
    public var maxPositionEmbeddings: Int = 77
    /// MLP activation: "quick_gelu" (CLIP) or "gelu" (exact, erf).
    public var hiddenAct: String = "quick_gelu"
    /// LayerNorm epsilon.
    public var layerNormEps: Float = 1e-5

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case maxPositionEmbeddings = "max_position_embeddings", hiddenAct = "hidden_act"
        case layerNormEps = "layer_norm_eps"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CLIPTextConfig()
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? d.vocabSize
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? d.numHiddenLayers
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? d.numAttentionHeads
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? d.maxPositionEmbeddings
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? d.hiddenAct
        layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? d.layerNormEps
    }

    /// Reads a config.json; errors name the file.
    public static func load(_ url: URL) throws -> CLIPTextConfig {
        do {
            let config = try JSONDecoder().decode(CLIPTextConfig.self, from: Data(contentsOf: url))
            guard config.hiddenSize % config.numAttentionHeads == 0 else {
                throw WeightSourceError.badConfig(file: url.path,
                    reason: "hidden_size \(config.hiddenSize) is not divisible by num_attention_heads \(config.numAttentionHeads)")
            }
            guard ["quick_gelu", "gelu"].contains(config.hiddenAct) else {
                throw WeightSourceError.badConfig(file: url.path, reason: "hidden_act '\(config.hiddenAct)' is not supported")
            }
            return config
        } catch let e as WeightSourceError {
            throw e
        } catch {
            throw WeightSourceError.badConfig(file: url.path, reason: "cannot read CLIPTextConfig: \(error)")
        }
    }
}

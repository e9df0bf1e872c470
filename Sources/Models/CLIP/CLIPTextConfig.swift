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

    /// Every number the encoder is built from: sizes positive and bounded, heads dividing the width.
    public func validate(_ file: String = "text_encoder/config.json") throws {
        try ConfigError.check(vocabSize, 1...1_000_000, key: "vocab_size", file: file)
        try ConfigError.check(hiddenSize, 1...65_536, key: "hidden_size", file: file)
        try ConfigError.check(intermediateSize, 1...262_144, key: "intermediate_size", file: file)
        try ConfigError.check(numHiddenLayers, 1...256, key: "num_hidden_layers", file: file)
        try ConfigError.check(numAttentionHeads, 1...1024, key: "num_attention_heads", file: file)
        try ConfigError.checkDivides(hiddenSize, by: numAttentionHeads, key: "num_attention_heads", of: "hidden_size",
                                     file: file)
        try ConfigError.check(maxPositionEmbeddings, 1...65_536, key: "max_position_embeddings", file: file)
        try ConfigError.check(layerNormEps, Float.leastNormalMagnitude...1, key: "layer_norm_eps", file: file)
        guard ["quick_gelu", "gelu"].contains(hiddenAct) else {
            throw WeightSourceError.badConfig(file: file, reason: "hidden_act '\(hiddenAct)' is not supported")
        }
    }

    /// Reads a config.json; errors name the file.
    public static func load(_ url: URL) throws -> CLIPTextConfig {
        do {
            let config = try JSONDecoder().decode(CLIPTextConfig.self, from: Data(contentsOf: url))
            try config.validate(url.path)
            return config
        } catch let e as WeightSourceError {
            throw e
        } catch let e as ConfigError {
            throw e
        } catch {
            throw WeightSourceError.badConfig(file: url.path, reason: "cannot read CLIPTextConfig: \(error)")
        }
    }
}

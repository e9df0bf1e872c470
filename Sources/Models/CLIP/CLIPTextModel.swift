// CLIPTextModel: SD v1.x's text encoder, matching transformers' CLIPTextModel (last_hidden_state, no pooling):
// embeddings → N pre-LN encoder layers with a causal mask → final layer norm. Weights by transformers' state-dict
// names (`text_model.encoder.layers.0.self_attn.q_proj.weight` as transformers 4 saved them, e.g. SD v1.4, or
// `encoder.layers.0.…` without the prefix as transformers 5 saves them); every key and shape is checked, and a key
// left over is an error (except the `position_ids` buffer older checkpoints carry).
import Foundation
import Tensor
import Weights

public struct CLIPTextModel {
    public let config: CLIPTextConfig
    public var embeddings: CLIPTextEmbeddings
    public var layers: [CLIPEncoderLayer]
    public var finalLayerNorm: LayerNorm

    /// Loads from a WeightSource whose keys start with `prefix`; nil: "text_model" when the source has
    /// `text_model.embeddings.token_embedding.weight` (transformers 4 files), else no prefix (transformers 5).
    public init(config: CLIPTextConfig, weights: WeightSource, prefix: String? = nil,
                residency: WeightResidency = .auto) throws {
        try config.validate()
        self.config = config
        let prefix = prefix
            ?? (weights.shape("text_model.embeddings.token_embedding.weight") != nil ? "text_model" : "")
        let w = WeightLoader(weights, residency: residency)
        embeddings = try CLIPTextEmbeddings(w, join(prefix, "embeddings"), config: config)
        layers = try (0..<config.numHiddenLayers).map {
            try CLIPEncoderLayer(w, join(prefix, "encoder.layers.\($0)"), config: config)
        }
        finalLayerNorm = try LayerNorm(w, join(prefix, "final_layer_norm"), channels: config.hiddenSize,
                                       eps: config.layerNormEps)
        try w.finish(ignore: { $0.hasSuffix("embeddings.position_ids") })
    }

    /// Loads `text_encoder/` of a diffusers folder: config.json plus model(.fp16).safetensors.
    public init(folder: URL, weights: WeightSource, residency: WeightResidency = .auto) throws {
        try self.init(config: CLIPTextConfig.load(folder.appendingPathComponent("config.json")), weights: weights,
                      residency: residency)
    }

    /// Token ids [B][T] (T ≤ max_position_embeddings, from CLIPTokenizer.encode) → last_hidden_state [B, T, D].
    public func callAsFunction(_ ids: [[Int]]) throws -> Tensor {
        guard let t = ids.first?.count, t > 0, ids.allSatisfy({ $0.count == t }), t <= config.maxPositionEmbeddings else {
            throw CLIPError.badInput("token rows must all have the same length 1…\(config.maxPositionEmbeddings)")
        }
        if let bad = ids.joined().first(where: { $0 < 0 || $0 >= config.vocabSize }) {
            throw CLIPError.badInput("token id \(bad) is outside the vocabulary of \(config.vocabSize)")
        }
        var h = embeddings(ids)              // [B, T, D]
        for layer in layers { h = layer(h) } // [B, T, D]
        return finalLayerNorm(h)             // [B, T, D]
    }
}


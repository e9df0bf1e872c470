// A capture point: a diffusers module path whose output the UNet hands to taps, with the layout the run folder
// stores it in. Attention outputs arrive as tokens [B, h·w, C] and are stored as feature maps [C, h, w] (tokens are
// row-major over (h, w), so this is a transpose); block and resnet outputs already are [B, C, h, w].

/// One tappable module of the UNet at a given latent size.
public struct CapturePoint: Hashable, Sendable, Codable {
    /// The diffusers module path, e.g. `up_blocks.3.attentions.0.transformer_blocks.0.attn1`.
    public var path: String
    /// Channels C.
    public var channels: Int
    /// Spatial size of the feature map (latent size divided by the level's stride).
    public var height: Int
    public var width: Int
    /// True when the model hands tokens [B, h·w, C] (attention outputs), false for [B, C, h, w].
    public var tokens: Bool

    public init(path: String, channels: Int, height: Int, width: Int, tokens: Bool) {
        self.path = path
        self.channels = channels
        self.height = height
        self.width = width
        self.tokens = tokens
    }

    /// The per-branch shape stored and handed to consumers: [C, h, w].
    public var featureShape: [Int] { [channels, height, width] }

    /// True for the self-attention outputs the studies probe (`…transformer_blocks.k.attn1`).
    public var isSelfAttention: Bool { path.hasSuffix(".attn1") }

    /// True for cross-attention probabilities (`…attn2.probs`): [heads, h·w, S] stored as channels = heads,
    /// height = h·w, width = S (77 text tokens).
    public var isAttentionProbabilities: Bool { path.hasSuffix(".probs") }

    /// Capture points from `(path, shape)` pairs as the UNet lists them (`UNet2DConditionModel.layerPaths`):
    /// token-shaped entries [B, h·w, C] take h and w from their enclosing `…attentions.k` entry [B, C, h, w].
    public static func from(layerPaths: [(path: String, shape: [Int])]) -> [CapturePoint] {
        var spatial: [String: (Int, Int)] = [:]
        for (path, shape) in layerPaths where shape.count == 4 { spatial[path] = (shape[2], shape[3]) }
        return layerPaths.compactMap { path, shape -> CapturePoint? in
            if shape.count == 4 {
                return CapturePoint(path: path, channels: shape[1], height: shape[2], width: shape[3], tokens: false)
            }
            guard shape.count == 3 else { return nil }
            // Walk up the path until a 4-d entry names the spatial size (…attentions.k).
            var parts = path.split(separator: ".").map(String.init)
            while !parts.isEmpty {
                parts.removeLast()
                if let (h, w) = spatial[parts.joined(separator: ".")], h * w == shape[1] {
                    return CapturePoint(path: path, channels: shape[2], height: h, width: w, tokens: true)
                }
            }
            return nil
        }
    }
}

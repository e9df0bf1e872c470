// The choices of a DAAM word map, DAAM's (castorini/daam) as defaults: every cross-attention layer but the lowest
// resolution (DAAM's locator skips the mid block), every head, every step, each layer's summed map upsampled
// bicubically to the latent size and clamped at 0, averaged over (layer, head), no normalisation over the words;
// a word's map is the mean over its sub-tokens; shown at the image size, min-max normalised, 0.4 as a mask
// threshold (the paper's τ). Shared by the host and the `daam` word-map plugin (Plugins/WordMaps/DAAM).
public struct WordMapOptions: Sendable, Equatable {
    /// Layer globs over `…attn2.probs` capture paths; nil: every one but the mid block's.
    public var layers: [String]?
    /// Head indices; nil: all.
    public var heads: [Int]?
    /// UNet call indices; nil: all.
    public var steps: [Int]?
    /// Size the per-layer maps are upsampled to before averaging; nil: the latent size (DAAM: 64 at 512 px).
    public var upsampleHeight: Int?
    public var upsampleWidth: Int?
    /// DAAM's `normalize`: divide every token's map by the sum over the prompt's word tokens (start and end
    /// tokens excluded), so the maps are a distribution over the words at each pixel.
    public var normalizeOverWords = false
    /// Min-max normalise a word's map at the image size (DAAM's expand_as with absolute=False).
    public var minMax = true
    /// A pixel belongs to the word's mask when its min-max normalised value exceeds this (DAAM: τ = 0.4).
    public var threshold: Float = 0.4

    public init() {}

    /// Whether a capture path takes part (paths are `…attn2.probs`).
    public func includes(layer path: String) -> Bool {
        guard let layers else { return !path.hasPrefix("mid_block") }
        return layers.contains { LayerGlob.matches($0, path) }
    }

    public func includes(step: Int) -> Bool { steps.map { $0.contains(step) } ?? true }
}

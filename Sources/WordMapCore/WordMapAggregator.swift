// DAAM's aggregation of cross-attention probabilities into per-token and per-word maps, fed one capture at a time
// (a layer's [heads, h·w, S] at one UNet call, conditional branch) so a run never holds more than one sum per layer.
// Shared by the host (Studies) and the `daam` word-map plugin; nothing here knows the pipeline.

public struct WordMapAggregator {
    public let options: WordMapOptions
    /// Token positions whose maps are kept (0 = start token); DAAM keeps 0 ..< n + 2.
    public let positions: [Int]
    /// positions.count.
    public var tokens: Int { positions.count }
    public let latentHeight: Int
    public let latentWidth: Int

    /// One layer's sum over the chosen steps: [heads, tokens, h·w] for the chosen heads.
    struct LayerSum {
        var heads: [Int]
        var height: Int
        var width: Int
        var values: [Float]
    }
    private var layers: [(path: String, sum: LayerSum)] = []

    /// Every token map DAAM keeps: `promptTokens` is the prompt's token count without start/end (at most 75).
    public init(options: WordMapOptions, promptTokens: Int, latentHeight: Int, latentWidth: Int) {
        self.init(options: options, positions: Array(0 ..< promptTokens + 2), latentHeight: latentHeight,
                  latentWidth: latentWidth)
    }

    /// Only the maps of `positions` (a word's tokens: what a per-step study needs, at a fraction of the memory).
    /// `normalizeOverWords` needs every map and is ignored unless `positions` is 0 ..< n.
    public init(options: WordMapOptions, positions: [Int], latentHeight: Int, latentWidth: Int) {
        self.options = options
        self.positions = positions
        self.latentHeight = latentHeight
        self.latentWidth = latentWidth
    }

    /// Whether any layer was added.
    public var isEmpty: Bool { layers.isEmpty }

    /// Adds one capture of layer `path` (an `…attn2.probs` capture path) at UNet call `call`: `values` holds
    /// [heads, hw, s] probabilities. Captures of layers or steps the options leave out are ignored.
    public mutating func add(path: String, heads: Int, hw: Int, s: Int, call: Int,
                             values: UnsafeBufferPointer<Float>) throws {
        guard options.includes(layer: path), options.includes(step: call) else { return }
        guard heads > 0, hw > 0, values.count == heads * hw * s, positions.allSatisfy({ $0 >= 0 && $0 < s }) else {
            throw WordMapError(what: path, reason: "\(values.count) probabilities for [\(heads), \(hw), \(s)] "
                + "with \(tokens) token maps (hint: capture `*attn2.probs`, conditional branch)")
        }
        let chosen = (options.heads ?? Array(0..<heads)).filter { $0 >= 0 && $0 < heads }
        guard !chosen.isEmpty else {
            throw WordMapError(what: path, reason: "no head of " + (options.heads ?? []).map(String.init)
                .joined(separator: ",") + " exists (the layer has \(heads)) (hint: choose heads 0…\(heads - 1))")
        }
        let k: Int
        if let found = layers.firstIndex(where: { $0.path == path }) {
            k = found
        } else {
            guard let (h, w) = spatialSize(hw) else {
                throw WordMapError(what: path, reason: "\(hw) positions are no downsampling of the "
                    + "\(latentHeight)×\(latentWidth) latent (hint: give the image's latent size)")
            }
            layers.append((path, LayerSum(heads: chosen, height: h, width: w,
                                                values: [Float](repeating: 0, count: chosen.count * tokens * hw))))
            k = layers.count - 1
        }
        // [heads, hw, S] → sum into [chosen, tokens, hw] (token-major, so each token's map is contiguous).
        let positions = positions, tokens = tokens
        layers[k].sum.values.withUnsafeMutableBufferPointer { dst in
            for (j, head) in chosen.enumerated() {
                for p in 0..<hw {
                    let row = (head * hw + p) * s
                    for (t, position) in positions.enumerated() {
                        dst[(j * tokens + t) * hw + p] += values[row + position]
                    }
                }
            }
        }
    }

    /// The global map [tokens, H, W] at the upsampling size (default the latent size): each (layer, head) map
    /// upsampled bicubically and clamped at 0, averaged; divided by the word tokens' sum if `normalizeOverWords`.
    public func globalMap() -> (maps: [Float], height: Int, width: Int) {
        let uh = options.upsampleHeight ?? latentHeight, uw = options.upsampleWidth ?? latentWidth
        let n = uh * uw
        var total = [Float](repeating: 0, count: tokens * n)
        var pairs = 0
        for (_, sum) in layers {
            let hw = sum.height * sum.width
            for j in sum.heads.indices {
                let slice = Array(sum.values[j * tokens * hw ..< (j + 1) * tokens * hw])
                let up = Bicubic.resize(slice, count: tokens, height: sum.height, width: sum.width, toHeight: uh,
                                        toWidth: uw)
                for i in 0..<(tokens * n) { total[i] += max(up[i], 0) }
                pairs += 1
            }
        }
        if pairs > 0 { for i in total.indices { total[i] /= Float(pairs) } }
        if options.normalizeOverWords && tokens > 2 && positions == Array(0 ..< tokens) {
            for p in 0..<n {
                var s: Float = 0
                for t in 1..<(tokens - 1) { s += total[t * n + p] }
                for t in 0..<tokens { total[t * n + p] /= s + 1e-6 }
            }
        }
        return (total, uh, uw)
    }

    /// A word's map [H·W] from `globalMap()`'s maps: the mean of its token maps (`word` holds token positions,
    /// 1 = first prompt token; positions not kept are skipped).
    public func wordMap(_ global: [Float], word: [Int]) -> [Float] {
        let n = global.count / max(tokens, 1)
        var out = [Float](repeating: 0, count: n)
        let valid = word.compactMap { positions.firstIndex(of: $0) }
        for t in valid { for i in 0..<n { out[i] += global[t * n + i] } }
        if !valid.isEmpty { for i in 0..<n { out[i] /= Float(valid.count) } }
        return out
    }

    /// A map [h, w] at the image size [oh, ow] (bicubic), min-max normalised when `minMax` (DAAM's expand_as).
    public static func expand(_ map: [Float], height: Int, width: Int, toHeight oh: Int, toWidth ow: Int,
                              minMax: Bool) -> [Float] {
        var big = Bicubic.resize(map, count: 1, height: height, width: width, toHeight: oh, toWidth: ow)
        guard minMax, let lo = big.min(), let hi = big.max() else { return big }
        let scale = 1 / (hi - lo + 1e-8)
        for i in big.indices { big[i] = (big[i] - lo) * scale }
        return big
    }

    /// The (h, w) of a map with `hw` positions: the latent size halved (rounding up, as the UNet's downsamplers)
    /// until the product matches.
    func spatialSize(_ hw: Int) -> (Int, Int)? {
        var h = latentHeight, w = latentWidth
        while h * w > hw && (h > 1 || w > 1) { h = (h + 1) / 2; w = (w + 1) / 2 }
        return h * w == hw ? (h, w) : nil
    }
}

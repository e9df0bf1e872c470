// One `daam` instance: the WordMapAggregator of the image begun last (WordMapCore, the code the host's DAAM used).
import WordMapCore

final class DAAMWordMap {
    let options: WordMapOptions
    /// The mask threshold as given (options.threshold is its Float).
    let threshold: Double
    private var aggregator: WordMapAggregator?
    /// Token positions of each word of the current image.
    private var words: [[Int]] = []

    init(options: WordMapOptions, threshold: Double) {
        self.options = options
        self.threshold = threshold
    }

    /// Keeps every map DAAM keeps (0 ..< n + 2) when normalising over the words, else only the words' tokens.
    func begin(latentHeight: Int, latentWidth: Int, tokenCount: Int, promptTokens: Int, words: [[Int]]) throws {
        guard latentHeight > 0, latentWidth > 0, promptTokens + 2 <= tokenCount,
              words.allSatisfy({ $0.allSatisfy { $0 >= 0 && $0 < tokenCount } }) else {
            throw WordMapError(what: "begin", reason: "latent \(latentHeight)×\(latentWidth), \(promptTokens) prompt "
                + "tokens of \(tokenCount), or a word position outside 0..<\(tokenCount) (hint: 1 = first prompt token)")
        }
        self.words = words
        let kept = options.normalizeOverWords ? Array(0 ..< promptTokens + 2) : Array(Set(words.joined())).sorted()
        aggregator = WordMapAggregator(options: options, positions: kept, latentHeight: latentHeight,
                                       latentWidth: latentWidth)
    }

    func add(layer: String, call: Int, heads: Int, hw: Int, tokens: Int, values: UnsafeBufferPointer<Float>) throws {
        guard aggregator != nil else { throw WordMapError(what: layer, reason: "add before begin") }
        try aggregator!.add(path: layer, heads: heads, hw: hw, s: tokens, call: call, values: values)
    }

    /// Writes [words, height, width]: each word's map (mean of its token maps) expanded bicubically.
    func finish(into out: UnsafeMutableBufferPointer<Float>, words count: Int, height: Int, width: Int) throws {
        guard count == words.count else {
            throw WordMapError(what: "finish", reason: "maps hold \(count) words, the image has \(words.count)")
        }
        guard let agg = aggregator, !agg.isEmpty else {
            throw WordMapError(what: "finish", reason: "no capture of a chosen layer and step was added (hint: add "
                + "`…attn2.probs` captures; check the layers/heads/steps parameters)")
        }
        let g = agg.globalMap()
        let n = height * width
        for (k, word) in words.enumerated() {
            let map = WordMapAggregator.expand(agg.wordMap(g.maps, word: word), height: g.height, width: g.width,
                                               toHeight: height, toWidth: width, minMax: options.minMax)
            for i in 0..<n { out[k * n + i] = map[i] }
        }
    }
}

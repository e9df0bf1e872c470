// PluginHost — validate-plugin's checks of word-map plugins (wordmap.h): on a synthetic image (latent 8×8, 77
// tokens, two layers of random softmax rows at two calls) the maps are finite [words, H, W] at two sizes, two
// instances agree, begin forgets the previous image, finish without captures is an error, mask_threshold is finite.
import SeededRandom

extension PluginValidator {
    /// (layer, heads, h·w) of the synthetic captures: a full-resolution and a half-resolution layer.
    static let wordMapLayers = [("down_blocks.0.attentions.0.transformer_blocks.0.attn2.probs", 2, 64),
                                ("up_blocks.1.attentions.0.transformer_blocks.0.attn2.probs", 2, 16)]

    /// Random probabilities [heads, hw, 77], each row summing to 1.
    static func randomProbabilities(_ heads: Int, _ hw: Int, _ rng: inout SplitMix64) -> [Float] {
        var p = (0..<(heads * hw * 77)).map { _ in Float(rng.next() >> 40) / Float(1 << 24) + 1e-3 }
        for row in 0..<(heads * hw) {
            let s = p[row * 77 ..< (row + 1) * 77].reduce(0, +)
            for i in row * 77 ..< (row + 1) * 77 { p[i] /= s }
        }
        return p
    }

    static func checkWordMap(_ plugin: WordMapPlugin, _ o: ValidationOptions, _ r: inout Recorder) {
        r.run("create-destroy") { try createDestroy(max(2, o.repeats / 4)) { _ = try plugin.instantiate() } }
        var rng = SplitMix64(seed: o.seed)
        let image = WordMapImage(latentHeight: 8, latentWidth: 8, tokenCount: 77, promptTokens: 3,
                                 words: [[1], [2, 3], []])
        let captures = (0..<2).flatMap { call in
            wordMapLayers.map { (layer: $0.0, call: call, heads: $0.1, hw: $0.2,
                                 p: randomProbabilities($0.1, $0.2, &rng)) }
        }
        func run(_ wm: WordMapInstance, _ h: Int, _ w: Int) throws -> [Float] {
            try wm.begin(image)
            for c in captures {
                try wm.add(layer: c.layer, call: c.call, probabilities: c.p, heads: c.heads, positions: c.hw,
                           tokens: 77)
            }
            return try wm.finish(height: h, width: w)
        }
        guard let wm = r.value("maps", {
            let wm = try plugin.instantiate()
            for (h, w) in [(16, 16), (13, 21)] {
                let m = try run(wm, h, w)
                guard m.count == 3 * h * w else { throw ValidationFailure("finish: \(m.count) values for [3, \(h), \(w)]") }
                try requireFinite(m, "finish [3, \(h), \(w)]")
            }
            return (wm, "3 words (one empty), 2 layers × 2 calls: finite [3, 16, 16] and [3, 13, 21]")
        }) else { return }
        r.run("deterministic") {
            let a = try run(wm, 16, 16), b = try run(try plugin.instantiate(), 16, 16)
            guard a == b else { throw ValidationFailure("two instances differ (maxdiff \(maxDiff(a, b)))") }
            return "the same captures give the same maps in two instances"
        }
        r.run("begin-resets") {
            let first = try run(wm, 16, 16)
            _ = try run(wm, 16, 16)
            let again = try run(wm, 16, 16)
            guard first == again else {
                throw ValidationFailure("begin keeps the previous image's captures (maxdiff \(maxDiff(first, again)))")
            }
            return "a second image with the same captures gives the same maps"
        }
        r.run("empty-image") {
            try wm.begin(image)
            do { _ = try wm.finish(height: 8, width: 8) } catch { return "finish without captures fails: \(error)" }
            throw ValidationFailure("finish without any capture returned LDMP_OK (wordmap.h: INVALID_ARGUMENT)")
        }
        r.run("mask-threshold") {
            let t = wm.maskThreshold
            guard t.isFinite else { throw ValidationFailure("mask_threshold is \(t)") }
            return "mask_threshold \(t)"
        }
    }
}

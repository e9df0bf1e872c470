// Cross-attention probabilities (`…attn2.probs`) and DAAM word maps against diffusers on the tiny random model
// (Tests/Fixtures/wordmaps, made by tools/make_wordmap_fixtures.py): the captured probabilities at the stored steps,
// then DAAM's global map, per-word maps and image-size maps from our aggregation of our captures, for the default
// choices and for a layer/head/step subset with normalisation; then the same maps through the `daam` word-map
// plugin (Plugins/WordMaps/DAAM, loaded through the C ABI) with the config as its parameters. Tolerance: README's activation parity (1.5e-5
// relative to the largest reference value).
import FileFormats
import Foundation
import Pipeline
import PluginHost
import Studies
import XCTest

final class WordMapParityTests: XCTestCase {
    struct Summary: Decodable {
        let prompt: String, seed: UInt64, steps: Int, guidance: Double, size: Int
        let stored_steps: [Int], layers: [String], n_tokens: Int, tokens: [String]
        let words: [String: [Int]]
        let configs: [String: Config]
        struct Config: Decodable { let layers: [String], heads: [Int], steps: [Int], normalize: Bool }
    }

    static let tolerance: Float = 1.5e-5

    static func fixture(_ name: String) -> URL {
        Fixtures.root.appendingPathComponent("wordmaps").appendingPathComponent(name)
    }

    /// max |a − b| / max |b|, NaN-sticky (Fixtures.maxdiff).
    func check(_ what: String, _ mine: [Float], _ theirs: NpyArray) throws {
        let ref = theirs.floats()
        XCTAssertEqual(mine.count, ref.count, what)
        let d = Fixtures.maxdiff(mine, ref)
        let scale = max(ref.map(abs).max() ?? 0, 1e-12)
        print("wordmap parity \(what): maxdiff \(d) (rel \(d / scale))")
        XCTAssertLessThanOrEqual(d / scale, Self.tolerance, what)
    }

    func testProbabilitiesAndWordMapsMatchDiffusers() throws {
        let s = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: Self.fixture("wordmaps.json")))
        let model = try StableDiffusionModel(path: Fixtures.root.appendingPathComponent("tiny-sd").path,
                                             tokenizerFolder: Fixtures.tokenizer)
        let pipeline = try DiffusionPipeline(
            textEncoder: model.textEncoder, unet: model.unet, decoder: model.decoder, scalingFactor: model.scalingFactor,
            sampler: try Plugins.sampler("ddim"), schedulerConfigJSON: model.schedulerConfigJSON,
            settings: GenerationSettings(steps: s.steps, guidance: s.guidance, height: s.size, width: s.size))
        let dir = Fixtures.scratch("wordmaps")
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = ImageJob.single(prompt: s.prompt, noiseFile: Self.fixture("noise.npy").path)
        var options = RunOptions(jobs: [job])
        options.capturePatterns = ["*attn2.probs"]
        options.branches = .cond
        options.activationDType = .float32
        let run = try GenerationRun(pipeline: pipeline, folder: RunFolder(dir), options: options,
                                    model: .init(path: model.path, weightsHash: "-", files: []), samplerName: "ddim",
                                    samplerVersion: "-", samplerParameters: [:],
                                    vaeScalingFactor: Double(model.scalingFactor))
        XCTAssertEqual(Set(run.capture.paths), Set(s.layers))
        try run.execute(ldmprobeVersion: "test", pluginAbi: "1.0")
        let folder = RunFolder(dir)

        // Tokens → words.
        let words = PromptWords(prompt: s.prompt, tokenizer: model.textEncoder.tokenizer)
        XCTAssertEqual(words.strings, s.tokens)
        for (w, positions) in s.words { XCTAssertEqual(words.positions(of: w), positions, w) }
        XCTAssertEqual(words.words.map(\.text), ["an", "axolotl", "on", "a", "wooden", "table", ",", "photorealistic"])

        // Captured probabilities [U, heads, h·w, 77] at the fixture's stored steps.
        var captured: [(CapturePoint, [Float])] = []
        for point in run.capture.points {
            let mine = try NpyArray.read(folder.activationURL(job.id, layer: point.path))
            XCTAssertEqual(mine.shape, [s.steps, point.channels, point.height, point.width], point.path)
            let all = mine.floats()
            let per = all.count / s.steps
            let stored = s.stored_steps.flatMap { all[$0 * per ..< ($0 + 1) * per] }
            try check("probs \(point.path)", stored, try NpyArray.read(Self.fixture("probs_\(point.path).npy")))
            captured.append((point, all))
        }

        // DAAM aggregation of our captures, per config.
        for (name, c) in s.configs.sorted(by: { $0.key < $1.key }) {
            var o = WordMapOptions()
            o.layers = c.layers
            o.heads = c.heads
            o.steps = c.steps
            o.normalizeOverWords = c.normalize
            var agg = WordMapAggregator(options: o, promptTokens: s.n_tokens, latentHeight: s.size / 8,
                                        latentWidth: s.size / 8)
            for (point, all) in captured {
                let per = all.count / s.steps
                for k in 0 ..< s.steps { try agg.add(point: point, call: k, values: Array(all[k * per ..< (k + 1) * per])) }
            }
            let g = agg.globalMap()
            try check("\(name) global", g.maps, try NpyArray.read(Self.fixture("\(name)_global.npy")))
            for (w, positions) in s.words.sorted(by: { $0.key < $1.key }) {
                let wm = agg.wordMap(g.maps, word: positions)
                try check("\(name) latent \(w)", wm, try NpyArray.read(Self.fixture("\(name)_latent_\(w).npy")))
                let big = WordMapAggregator.expand(wm, height: g.height, width: g.width, toHeight: s.size,
                                                   toWidth: s.size, minMax: true)
                try check("\(name) image \(w)", big, try NpyArray.read(Self.fixture("\(name)_word_\(w).npy")))
            }
            try checkPlugin(name, c, s, captured)
        }
    }

    /// The config's maps from the `daam` plugin: every token as a one-token word at the latent size with
    /// absolute=true is DAAM's global map; the words at the latent size its latent maps; at the image size with
    /// DAAM's min-max normalisation its image maps.
    func checkPlugin(_ name: String, _ c: Summary.Config, _ s: Summary, _ captured: [(CapturePoint, [Float])]) throws {
        let spec = "daam:layers=\(c.layers.joined(separator: ";")),heads=\(c.heads.map(String.init).joined(separator: ";")),"
            + "steps=\(c.steps.map(String.init).joined(separator: ";")),normalize=\(c.normalize)"
        let latent = s.size / 8
        let words = s.words.sorted(by: { $0.key < $1.key })
        func maps(_ absolute: Bool, _ spans: [[Int]], _ size: Int) throws -> [Float] {
            let wm = try Plugins.registry().wordMap(spec: spec + ",absolute=\(absolute)").instantiate()
            try wm.begin(WordMapImage(latentHeight: latent, latentWidth: latent, tokenCount: 77, promptTokens: s.n_tokens,
                                      words: spans))
            for (point, all) in captured {
                let per = all.count / s.steps
                for k in 0 ..< s.steps {
                    try wm.add(layer: point.path, call: k, probabilities: Array(all[k * per ..< (k + 1) * per]),
                               heads: point.channels, positions: point.height, tokens: point.width)
                }
            }
            XCTAssertEqual(wm.maskThreshold, 0.4)
            return try wm.finish(height: size, width: size)
        }
        let global = try maps(true, (0 ..< s.n_tokens + 2).map { [$0] }, latent)
        try check("plugin \(name) global", global, try NpyArray.read(Self.fixture("\(name)_global.npy")))
        let n = latent * latent, big = s.size * s.size
        let latentMaps = try maps(true, words.map(\.value), latent)
        let imageMaps = try maps(false, words.map(\.value), s.size)
        for (k, (w, _)) in words.enumerated() {
            try check("plugin \(name) latent \(w)", Array(latentMaps[k * n ..< (k + 1) * n]),
                      try NpyArray.read(Self.fixture("\(name)_latent_\(w).npy")))
            try check("plugin \(name) image \(w)", Array(imageMaps[k * big ..< (k + 1) * big]),
                      try NpyArray.read(Self.fixture("\(name)_word_\(w).npy")))
        }
    }
}

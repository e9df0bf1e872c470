// The word-map tap of a generation: asks for every cross-attention probability capture (`…attn2.probs`,
// conditional branch), hands them to word-map plugin instances image by image (wordmap.h; DAAM by default: one
// instance over every call, or one per call for the per-step study) and passes each finished image's instances to
// `handler`, which asks them for maps. The plugin chooses layers, heads and steps; nothing is stored.
import FileFormats
import Pipeline
import PluginHost
import Tokenizer

public final class WordMapCollector: ActivationConsumer, StepObserver {
    /// One finished image.
    public struct Result {
        public let job: ImageJob
        public let image: PNGImage
        public let words: PromptWords
        /// The words begun, in the order of the maps `finish` writes: (text, token positions, 1 = first prompt token).
        public let spans: [(text: String, positions: [Int])]
        public let latentHeight: Int
        public let latentWidth: Int
        /// Over every call (nil when per step without `alsoTotal`).
        public let total: WordMapInstance?
        /// Per UNet call, nil for a call left out (empty unless per step).
        public let perStep: [WordMapInstance?]

        public init(job: ImageJob, image: PNGImage, words: PromptWords, spans: [(text: String, positions: [Int])],
                    latentHeight: Int, latentWidth: Int, total: WordMapInstance?, perStep: [WordMapInstance?] = []) {
            self.job = job
            self.image = image
            self.words = words
            self.spans = spans
            self.latentHeight = latentHeight
            self.latentWidth = latentWidth
            self.total = total
            self.perStep = perStep
        }
    }

    public let plugin: WordMapPlugin
    let tokenizer: CLIPTokenizer
    /// The words to map for an image; [] skips the image.
    let spans: (ImageJob, PromptWords) -> [(text: String, positions: [Int])]
    let perStep: Bool
    /// With `perStep`, also the instance over every call.
    let alsoTotal: Bool
    /// Calls the host feeds (nil: every one); the plugin may leave out more.
    let calls: Set<Int>?
    let handler: (Result) throws -> Void
    private var current: (words: PromptWords, spans: [(text: String, positions: [Int])], h: Int, w: Int)?
    private var total: WordMapInstance?
    private var steps: [WordMapInstance?] = []
    /// Probability layers asked for (set by captureRequest).
    public private(set) var layers: [String] = []

    public init(plugin: WordMapPlugin, tokenizer: CLIPTokenizer, perStep: Bool, alsoTotal: Bool = false,
                calls: Set<Int>? = nil,
                spans: @escaping (ImageJob, PromptWords) -> [(text: String, positions: [Int])] = { $1.words },
                handler: @escaping (Result) throws -> Void) {
        self.plugin = plugin
        self.tokenizer = tokenizer
        self.perStep = perStep
        self.alsoTotal = alsoTotal
        self.calls = calls
        self.spans = spans
        self.handler = handler
    }

    public func captureRequest(available: [CapturePoint]) -> CaptureRequest {
        layers = available.filter(\.isAttentionProbabilities).map(\.path)
        return CaptureRequest(paths: Set(layers), branches: [.cond])
    }

    public func consume(_ a: CapturedActivation) throws {
        guard a.branch == .cond, calls?.contains(a.call) ?? true else { return }
        if let total { try Self.add(total, a.point, a.call, a.values) }
        if a.call >= 0 && a.call < steps.count, let s = steps[a.call] { try Self.add(s, a.point, a.call, a.values) }
    }

    /// One capture (`…attn2.probs`: channels = heads, height = h·w, width = S) into an instance.
    public static func add(_ wm: WordMapInstance, _ point: CapturePoint, _ call: Int, _ values: [Float]) throws {
        try wm.add(layer: point.path, call: call, probabilities: values, heads: point.channels,
                   positions: point.height, tokens: point.width)
    }

    /// A begun instance for one image's words.
    public static func begin(_ plugin: WordMapPlugin, words: PromptWords, spans: [(text: String, positions: [Int])],
                      latentHeight: Int, latentWidth: Int) throws -> WordMapInstance {
        let wm = try plugin.instantiate()
        try wm.begin(WordMapImage(latentHeight: latentHeight, latentWidth: latentWidth,
                                  tokenCount: words.tokenCount, promptTokens: words.ids.count,
                                  words: spans.map(\.positions)))
        return wm
    }

    public func imageWillStart(_ context: ImageContext) throws {
        let w = PromptWords(prompt: context.job.prompt, tokenizer: tokenizer)
        let lh = context.latentShape[2], lw = context.latentShape[3]
        total = nil
        steps = []
        current = nil
        let chosen = spans(context.job, w)
        if chosen.isEmpty { return }
        current = (w, chosen, lh, lw)
        func make() throws -> WordMapInstance {
            try Self.begin(plugin, words: w, spans: chosen, latentHeight: lh, latentWidth: lw)
        }
        if perStep {
            steps = try (0 ..< context.calls).map { k in calls?.contains(k) ?? true ? try make() : nil }
        }
        if !perStep || alsoTotal { total = try make() }
    }

    public func imageDidFinish(_ result: GeneratedImage) throws {
        defer { total = nil; steps = []; current = nil }
        guard let c = current, total != nil || steps.contains(where: { $0 != nil }) else { return }
        try handler(Result(job: result.context.job, image: result.image, words: c.words, spans: c.spans,
                           latentHeight: c.h, latentWidth: c.w, total: total, perStep: steps))
    }

    public func imageDidFail(_ context: ImageContext, error: Error) {
        total = nil
        steps = []
        current = nil
    }
}

// The word-map tap of a generation: asks for the cross-attention probabilities (`…attn2.probs`, conditional
// branch) the options select, aggregates them image by image (DAAM: over every chosen step, or one aggregate per
// step for the per-step study) and hands each finished image's aggregates to `handler`. Nothing is stored.
import FileFormats
import Pipeline
import Tokenizer

public final class WordMapCollector: ActivationConsumer, StepObserver {
    /// One finished image.
    public struct Result {
        public let job: ImageJob
        public let image: PNGImage
        public let words: PromptWords
        /// Over every chosen step (nil when per step without `alsoTotal`).
        public let total: WordMapAggregator?
        /// Per UNet call, nil for a call the options leave out (empty unless per step).
        public let perStep: [WordMapAggregator?]

        public init(job: ImageJob, image: PNGImage, words: PromptWords, total: WordMapAggregator?,
                    perStep: [WordMapAggregator?] = []) {
            self.job = job
            self.image = image
            self.words = words
            self.total = total
            self.perStep = perStep
        }
    }

    public let options: WordMapOptions
    let tokenizer: CLIPTokenizer
    /// The token positions to keep for an image: nil keeps every map (n + 2), [] skips the image.
    let positions: (ImageJob, PromptWords) -> [Int]?
    let perStep: Bool
    /// With `perStep`, also the aggregate over every chosen step.
    let alsoTotal: Bool
    let handler: (Result) throws -> Void
    private var words: PromptWords?
    private var total: WordMapAggregator?
    private var steps: [WordMapAggregator?] = []
    /// Probability layers asked for (set by captureRequest).
    public private(set) var layers: [String] = []

    public init(options: WordMapOptions, tokenizer: CLIPTokenizer, perStep: Bool, alsoTotal: Bool = false,
                positions: @escaping (ImageJob, PromptWords) -> [Int]? = { _, _ in nil },
                handler: @escaping (Result) throws -> Void) {
        self.options = options
        self.tokenizer = tokenizer
        self.perStep = perStep
        self.alsoTotal = alsoTotal
        self.positions = positions
        self.handler = handler
    }

    public func captureRequest(available: [CapturePoint]) -> CaptureRequest {
        layers = available.filter { $0.isAttentionProbabilities && options.includes(layer: $0.path) }.map(\.path)
        return CaptureRequest(paths: Set(layers), branches: [.cond])
    }

    public func consume(_ a: CapturedActivation) throws {
        guard a.branch == .cond else { return }
        if total != nil { try total!.add(point: a.point, call: a.call, values: a.values) }
        if a.call >= 0 && a.call < steps.count && steps[a.call] != nil {
            try steps[a.call]!.add(point: a.point, call: a.call, values: a.values)
        }
    }

    public func imageWillStart(_ context: ImageContext) throws {
        let w = PromptWords(prompt: context.job.prompt, tokenizer: tokenizer)
        let lh = context.latentShape[2], lw = context.latentShape[3]
        words = w
        total = nil
        steps = []
        let kept = positions(context.job, w)
        if kept?.isEmpty == true { return }
        func make(_ o: WordMapOptions) -> WordMapAggregator {
            kept.map { WordMapAggregator(options: o, positions: $0, latentHeight: lh, latentWidth: lw) }
                ?? WordMapAggregator(options: o, promptTokens: w.ids.count, latentHeight: lh, latentWidth: lw)
        }
        if perStep {
            steps = (0 ..< context.calls).map { k in
                guard options.includes(step: k) else { return nil }
                var o = options
                o.steps = [k]
                return make(o)
            }
        }
        if !perStep || alsoTotal { total = make(options) }
    }

    public func imageDidFinish(_ result: GeneratedImage) throws {
        defer { total = nil; steps = []; words = nil }
        guard let words, total != nil || steps.contains(where: { $0 != nil }) else { return }
        try handler(Result(job: result.context.job, image: result.image, words: words, total: total, perStep: steps))
    }

    public func imageDidFail(_ context: ImageContext, error: Error) {
        total = nil
        steps = []
        words = nil
    }
}

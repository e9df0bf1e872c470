// The text → image loop of diffusers' StableDiffusionPipeline, driven call by call so that every step is visible:
//
//   context = text_encoder([negative_prompt, prompt])                 [2, 77, D]   (batch [uncond, cond])
//   x = noise · init_noise_sigma                                      [1, 4, h, w]
//   for call in 0..<U:
//       xin = scale_model_input(x, call); ε = unet([xin, xin], t, context)   [2, 4, h, w]  (taps fire here)
//       ε = u + g·(c − u);  x, x̂0 = sampler.step(call, ε, x)
//   image = vae.decode(x / scaling_factor);  (image/2 + 0.5).clamp(0, 1) · 255, rounded half to even (numpy)
//
// With an init image (img2img, StableDiffusionImg2ImgPipeline) x starts from the noised encoded image at call
// t_start instead (Img2ImgStart) and the loop runs calls t_start ..< U; observers, taps and the run folder see
// them renumbered 0 ..< U − t_start with their own timesteps, as diffusers' truncated `timesteps` are.
//
// Consumers (activations) and observers (steps, images) subscribe before `prepare()`.
import FileFormats
import Foundation
import Models
import PluginHost
import Tensor

/// A configured pipeline: networks, sampler plugin, settings and subscribers.
public final class DiffusionPipeline {
    public let textEncoder: PromptEncoder
    public let unet: NoisePredictor
    public let decoder: LatentDecoder
    /// The VAE encoder; needed only with an init image (img2img).
    public let encoder: LatentEncoder?
    /// VAE scaling factor (SD v1: 0.18215).
    public let scalingFactor: Float
    public let sampler: SamplerPlugin
    /// scheduler/scheduler_config.json text, or nil for the sampler's SD v1.4 default.
    public let schedulerConfigJSON: String?
    public let settings: GenerationSettings
    public var progress: ProgressReporter?

    private var consumers: [ActivationConsumer] = []
    private var observers: [StepObserver] = []
    private var tap: CaptureTap?
    private var uncondCache: (prompt: String, states: Tensor)?
    private var initImage: Img2ImgStart?

    public init(textEncoder: PromptEncoder, unet: NoisePredictor, decoder: LatentDecoder, scalingFactor: Float,
                sampler: SamplerPlugin, schedulerConfigJSON: String?, settings: GenerationSettings,
                encoder: LatentEncoder? = nil) throws {
        try settings.validate()
        if let url = settings.initImage {
            guard encoder != nil else {
                throw PipelineError.invalidOption(option: "--init-image",
                    reason: "the model was loaded without its VAE encoder (StableDiffusionModel(withEncoder: true))")
            }
            guard sampler.supportsImg2Img else {
                throw PipelineError.invalidOption(option: "--init-image",
                    reason: "sampler '\(sampler.name)' has no set_begin_call/add_noise (an older plugin); use ddim, pndm or lms")
            }
            initImage = try Img2ImgStart(url: url, height: settings.height, width: settings.width)
        }
        self.textEncoder = textEncoder
        self.unet = unet
        self.decoder = decoder
        self.encoder = encoder
        self.scalingFactor = scalingFactor
        self.sampler = sampler
        self.schedulerConfigJSON = schedulerConfigJSON
        self.settings = settings
    }

    /// Latent shape [1, C, h, w].
    public var latentShape: [Int] { [1, unet.latentChannels, settings.latentHeight, settings.latentWidth] }

    /// Every capture point at this run's latent size.
    public var capturePoints: [CapturePoint] {
        unet.capturePoints(latentHeight: settings.latentHeight, latentWidth: settings.latentWidth)
    }

    public func subscribe(_ consumer: ActivationConsumer) { consumers.append(consumer) }
    public func subscribe(_ observer: StepObserver) { observers.append(observer) }

    /// The sampler's plan for this run: U calls, their timesteps and init_noise_sigma (img2img: the calls kept).
    public func plan() throws -> (calls: Int, timesteps: [Double], initNoiseSigma: Double) {
        let (s, begin) = try plannedSampler()
        return (s.callCount - begin, Array(s.timesteps.dropFirst(begin)), s.initNoiseSigma)
    }

    /// A fresh sampler instance with its timesteps set, and the first call to run (img2img's t_start, else 0).
    private func plannedSampler() throws -> (SamplerInstance, begin: Int) {
        let s = try sampler.instantiate(schedulerConfigJSON: schedulerConfigJSON)
        try s.setTimesteps(settings.steps)
        let sigma = s.initNoiseSigma
        guard sigma.isFinite, sigma > 0, s.timesteps.count == s.callCount, s.timesteps.allSatisfy(\.isFinite) else {
            throw PipelineError.nonFinite(image: "-", what: "the sampler's plan (init_noise_sigma \(sigma))",
                                          hint: "the scheduler config or the sampler's parameters")
        }
        guard initImage != nil else { return (s, 0) }
        let begin = Img2ImgStart.beginStep(steps: settings.steps, strength: settings.strength)
        guard begin < s.callCount else {
            throw PipelineError.invalidOption(option: "--strength",
                reason: "\(settings.strength) starts at call \(begin) of \(s.callCount); raise --strength or --steps")
        }
        try s.setBeginCall(begin)
        return (s, begin)
    }

    /// The latent [1, 4, h, w] the loop starts from: noise · init_noise_sigma, or (img2img) the noised init image.
    private func startLatent(_ job: ImageJob, _ s: SamplerInstance, begin: Int) throws -> [Float] {
        guard let initImage, let encoder else {
            let sigma = Float(s.initNoiseSigma)
            let noise = try initialNoise(for: job)                                       // [1, 4, h, w]
            try Self.checkFinite(noise, job.id, "the initial noise",
                                 job.seed == nil ? "the --init-noise file holds NaN or inf" : "a bug in the noise generator")
            return noise.map { $0 * sigma }
        }
        guard case let .seed(seed) = job.noise else {
            throw PipelineError.invalidOption(option: "--init-noise",
                reason: "img2img draws the encoder sample and the noise from the image's seed; use seeds, not a noise file")
        }
        var g = TorchGenerator(seed: seed)
        return try initImage.startLatent(encoder: encoder, scalingFactor: scalingFactor, sampler: s, begin: begin,
                                         generator: &g, latentShape: latentShape)
    }

    /// Asks every consumer once which taps it wants and attaches the tap to the UNet (nothing when none want any).
    public func prepare() {
        let t = CaptureTap(consumers: consumers, available: capturePoints)
        t.batchHasUncond = settings.usesGuidance
        if t.wantedPaths.isEmpty {
            tap = nil
            unet.attach(nil)
        } else {
            tap = t
            unet.attach(t)
        }
    }

    /// The unscaled standard-normal initial latent [1, 4, h, w] of `job`.
    public func initialNoise(for job: ImageJob) throws -> [Float] {
        let shape = latentShape
        switch job.noise {
        case let .seed(seed):
            var g = TorchGenerator(seed: seed)
            return g.randn(count: shape.reduce(1, *))
        case let .file(path):
            let url = URL(fileURLWithPath: path)
            let a: NpyArray
            do { a = try NpyArray.read(url) } catch { throw PipelineError.input(path: path, reason: "\(error)") }
            guard a.dtype == .float32 || a.dtype == .float16,
                  a.shape == shape || a.shape == Array(shape.dropFirst()) else {
                throw PipelineError.input(path: path,
                    reason: "--init-noise must be float32 \(shape) (unscaled standard normal), found \(a.dtype.rawValue) \(a.shape)")
            }
            return a.floats()
        }
    }

    /// Text hidden states for the batch: [uncond, cond] with guidance, [cond] without.
    func textStates(for prompt: String) throws -> Tensor {
        let cond = try textEncoder.encode([prompt])                                     // [1, S, D]
        guard settings.usesGuidance else { return cond }
        let uncond: Tensor
        if let cached = uncondCache, cached.prompt == settings.negativePrompt {
            uncond = cached.states
        } else {
            uncond = try textEncoder.encode([settings.negativePrompt])                  // [1, S, D]
            uncondCache = (settings.negativePrompt, uncond)
        }
        guard uncond.shape == cond.shape else {
            throw PipelineError.shape(what: "negative prompt states", expected: cond.shape, found: uncond.shape)
        }
        return Tensor(shape: [2] + cond.shape.dropFirst(), data: uncond.data + cond.data)   // [2, S, D]
    }

    /// Decodes latents [1, 4, h, w] (not yet divided by the scaling factor) to an 8-bit RGB image.
    public func decode(_ latents: [Float], image id: String = "(being decoded)") throws -> PNGImage {
        let scale = scalingFactor
        let x = Tensor(shape: latentShape, data: latents.map { $0 / scale })          // [1, 4, h, w]
        let y = try decoder.decode(x)                                                   // [1, 3, H, W]
        guard y.shape.count == 4, y.shape[0] == 1, y.shape[1] == 3 else {
            throw PipelineError.shape(what: "VAE output", expected: [1, 3, settings.height, settings.width], found: y.shape)
        }
        try Self.checkFinite(y.data, id, "the decoded image",
                             "the VAE config or weights (e.g. scaling_factor), or latents out of range")
        return Self.image(fromDecoded: y)
    }

    /// Throws `nonFinite` when `values` hold NaN or ±inf, before they reach the sampler or the PNG encoder.
    static func checkFinite(_ values: [Float], _ image: String, _ what: String, _ hint: String) throws {
        var probe: Float = 0
        values.withUnsafeBufferPointer { for v in $0 { probe += v * 0 } }   // 0 unless some v is NaN or ±inf
        guard probe == 0 else { throw PipelineError.nonFinite(image: image, what: what, hint: hint) }
    }

    /// [1, 3, H, W] in ≈[-1, 1] → 8-bit RGB [H, W, 3] as diffusers' postprocess and numpy_to_pil do it.
    public static func image(fromDecoded y: Tensor) -> PNGImage {
        let h = y.shape[2], w = y.shape[3], n = h * w
        var bytes = [UInt8](repeating: 0, count: n * 3)
        y.data.withUnsafeBufferPointer { src in
            for c in 0 ..< 3 {
                for i in 0 ..< n {
                    let raw = src[c * n + i] / 2 + 0.5
                    let v = raw.isNaN ? 0 : min(max(raw, 0), 1)   // NaN is refused earlier; never trap on it here
                    bytes[i * 3 + c] = UInt8((v * 255).rounded(.toNearestOrEven))
                }
            }
        }
        return PNGImage(width: w, height: h, channels: 3, bytes: bytes)
    }

    /// Generates one image, notifying subscribers. `index`/`total` are for progress and observers.
    @discardableResult
    public func generate(_ job: ImageJob, index: Int = 0, total: Int = 1) throws -> GeneratedImage {
        let started = Date()
        let shape = latentShape
        let count = shape.reduce(1, *)
        let guidance = Float(settings.guidance)
        let cfg = settings.usesGuidance

        let context = try textStates(for: job.prompt)                                   // [B, S, D]
        let (s, begin) = try plannedSampler()
        let calls = s.callCount - begin
        let timesteps = Array(s.timesteps.dropFirst(begin))
        var x = try startLatent(job, s, begin: begin)                                   // [1, 4, h, w]
        var latents = x
        latents.reserveCapacity(count * (calls + 1))

        let ctx = ImageContext(job: job, index: index, total: total, calls: calls, timesteps: timesteps,
                               latentShape: shape)
        for o in observers { try o.imageWillStart(ctx) }
        do {
            for call in 0 ..< calls {
                progress?.stepWillStart()
                var xin = x
                try s.scaleModelInput(call: begin + call, sample: &xin, shape: shape)
                let batch = cfg ? Tensor(shape: [2] + shape.dropFirst(), data: xin + xin)  // [2, 4, h, w]
                                : Tensor(shape: shape, data: xin)                          // [1, 4, h, w]
                if let tap {
                    tap.imageID = job.id
                    tap.call = call
                    tap.timestep = timesteps[call]
                }
                let out = try unet.predictNoise(batch, timestep: Float(timesteps[call]), context: context)
                if let error = tap?.pendingError { tap?.reset(); throw error }
                guard out.count == batch.count else {
                    throw PipelineError.shape(what: "UNet output", expected: batch.shape, found: out.shape)
                }
                var eps = [Float](repeating: 0, count: count)                           // [1, 4, h, w]
                if cfg {
                    out.data.withUnsafeBufferPointer { o in
                        for i in 0 ..< count { eps[i] = o[i] + guidance * (o[count + i] - o[i]) }
                    }
                } else {
                    eps = out.data
                }
                try Self.checkFinite(eps, job.id, "the guided noise prediction of call \(call)",
                                     "--guidance too large, or a model config/weights producing NaN (e.g. norm_eps ≤ 0)")
                let r = try s.step(call: begin + call, modelOutput: eps, sample: x, noise: s.needsNoise ? try stepNoise(job, call) : nil,
                                   shape: shape, wantPredOriginal: true)
                x = r.prevSample
                try Self.checkFinite(x, job.id, "the sampler's output at call \(call)",
                                     "the sampler's parameters (e.g. DDIM eta) or the scheduler config (e.g. beta_end)")
                latents += x
                let event = StepEvent(context: ctx, call: call, timestep: timesteps[call], latent: x,
                                      predictedOriginal: r.predOriginal, decoder: { [unowned self] in try self.decode($0) })
                for o in observers { try o.stepDidFinish(event) }
                progress?.stepDidFinish(index: index, id: job.id, call: call, calls: calls)
            }
            let image = try decode(x, image: job.id)
            let result = GeneratedImage(context: ctx, image: image, latents: latents,
                                        seconds: Date().timeIntervalSince(started))
            for o in observers { try o.imageDidFinish(result) }
            return result
        } catch {
            for o in observers { o.imageDidFail(ctx, error: error) }
            throw error
        }
    }

    /// Fresh noise for samplers that need it (DDIM with eta > 0): a generator seeded from the image's seed and
    /// the call, so runs stay reproducible. (diffusers draws it from the pipeline's generator instead; eta > 0
    /// runs therefore do not match diffusers bit for bit.)
    private var stepGenerators: [String: TorchGenerator] = [:]
    func stepNoise(_ job: ImageJob, _ call: Int) throws -> [Float] {
        if call == 0 || stepGenerators[job.id] == nil {
            stepGenerators = [job.id: TorchGenerator(seed: (job.seed ?? 0) &+ 0x5EED)]
        }
        return stepGenerators[job.id]!.randn(count: latentShape.reduce(1, *))
    }
}

extension StepObserver {
    public func imageDidFail(_ context: ImageContext, error: Error) {}
}

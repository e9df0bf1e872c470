/// DDIM — matches diffusers 0.42.1 `DDIMScheduler` (set_timesteps, scale_model_input, step with eta and
/// variance_noise), float32 operation for operation so results agree to the last bit or close to it.
///
/// - Timesteps: leading (+ steps_offset), trailing or linspace spacing; prev_timestep = t − N // n whatever the
///   spacing (as diffusers does), ᾱ_prev = final_alpha_cumprod (1 or ᾱ[0], set_alpha_to_one) when negative.
/// - prediction_type epsilon, sample, v_prediction; clip_sample / clip_sample_range clamp x̂0.
/// - eta > 0 adds σ_t·noise with the host's noise (diffusers' variance_noise); use_clipped_model_output is
///   not exposed (false, diffusers' default).
/// Limitations: thresholding and rescale_betas_zero_snr throw "unsupported".
import SamplerSupport

final class DDIM: Sampler {
    static let name = "ddim"
    let config: SchedulerConfig
    let eta: Float
    let prediction: PredictionType
    let schedule: BetaSchedule
    /// ᾱ used past the last step (1, or ᾱ[0] when set_alpha_to_one is false).
    let finalAlphaCumprod: Float
    private(set) var timesteps: [Int] = []
    private var stepRatio = 0

    init(config: SchedulerConfig, eta: Double) throws {
        // eta > 1 makes σ_t² exceed 1 − ᾱ_{t−1}, and the direction term √(1 − ᾱ_{t−1} − σ_t²) NaN.
        guard eta >= 0, eta <= 1, eta.isFinite else {
            throw SamplerError.invalidValue(sampler: DDIM.name, key: "eta", message: "must be in 0…1, got \(eta)")
        }
        prediction = try PredictionType(config.predictionType, allowed: [.epsilon, .sample, .vPrediction],
                                        sampler: DDIM.name)
        try SamplerParams.checkChoice(config.timestepSpacing, "timestep_spacing", SamplerParams.spacings,
                                      sampler: DDIM.name)
        if config.thresholding {
            throw SamplerError.unsupported(sampler: DDIM.name, key: "thresholding",
                                           message: "dynamic thresholding is not implemented")
        }
        self.config = config
        self.eta = Float(eta)
        schedule = try BetaSchedule(config: config, sampler: DDIM.name)
        finalAlphaCumprod = config.setAlphaToOne ? 1 : schedule.alphasCumprod[0]
    }

    func setTimesteps(_ steps: Int) throws {
        timesteps = try TimestepPlan.integer(spacing: config.timestepSpacing, steps: steps, config: config,
                                             sampler: DDIM.name)
        stepRatio = config.numTrainTimesteps / steps
    }

    var callCount: Int { timesteps.count }
    func timestep(_ call: Int) -> Double { Double(timesteps[call]) }
    var initNoiseSigma: Double { 1 }
    var needsNoise: Bool { eta > 0 }

    func scaleModelInput(call: Int, _ x: UnsafeMutableBufferPointer<Float>) throws {}

    /// DDIM keeps no state between steps: each step reads its own timestep.
    func setBeginCall(_ call: Int) throws {}

    func addNoise(call: Int, original: UnsafeBufferPointer<Float>, noise: UnsafeBufferPointer<Float>,
                  noisy: UnsafeMutableBufferPointer<Float>) {
        AlphaNoise.add(alphasCumprod: schedule.alphasCumprod, t: timesteps[call], original: original, noise: noise,
                       noisy: noisy)
    }

    func step(call: Int, modelOutput eps: UnsafeBufferPointer<Float>, sample x: UnsafeBufferPointer<Float>,
              noise: UnsafeBufferPointer<Float>?, prevSample prev: UnsafeMutableBufferPointer<Float>,
              predOriginal: UnsafeMutableBufferPointer<Float>?) throws {
        let t = timesteps[call]
        let tPrev = t - stepRatio
        let ac = schedule.alphasCumprod
        // Scalars are float32 0-d tensors in diffusers; each line below is one torch op.
        let aT = ac[t]
        let aPrev = tPrev >= 0 ? ac[tPrev] : finalAlphaCumprod
        let bT = 1 - aT
        let sqrtA = aT.squareRoot(), sqrtB = bT.squareRoot()
        let variance = ((1 - aPrev) / bT) * (1 - aT / aPrev)
        let std = eta * variance.squareRoot()
        let dirCoeff = ((1 - aPrev) - std * std).squareRoot()
        let sqrtAPrev = aPrev.squareRoot()
        let clip = config.clipSample, r = Float(config.clipSampleRange)
        let mode = prediction
        let addNoise = eta > 0
        for i in 0..<prev.count {
            let e = eps[i], s = x[i]
            var x0: Float, pe: Float
            switch mode {
            case .epsilon:
                x0 = (s - sqrtB * e) / sqrtA
                pe = e
            case .sample:
                x0 = e
                pe = (s - sqrtA * x0) / sqrtB
            case .vPrediction:
                x0 = sqrtA * s - sqrtB * e
                pe = sqrtA * e + sqrtB * s
            }
            if clip { x0 = min(max(x0, -r), r) }
            var p = sqrtAPrev * x0 + dirCoeff * pe
            if addNoise, let noise { p = p + std * noise[i] }
            predOriginal?[i] = x0
            prev[i] = p
        }
    }
}

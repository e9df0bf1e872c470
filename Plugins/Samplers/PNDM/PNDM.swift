/// PNDM — matches diffusers 0.42.1 `PNDMScheduler`: the pseudo linear multistep (PLMS) steps SD v1.4 uses
/// (skip_prk_steps true) and, when skip_prk_steps is false (diffusers' own default), the 12 Runge–Kutta calls
/// before them. Float32 operation for operation, including diffusers' bookkeeping:
///
/// - PLMS (skip_prk_steps): n + 1 calls for n steps at [t0, t1, t1, t2, …]. Call 0 stores x and ε0 and steps
///   with ε0; call 1 restarts from the stored x (from t1 + N//n to t1) with (ε1 + ε0)/2 and never stores ε1;
///   then (3ε − ε₋₁)/2, (23ε − 16ε₋₁ + 5ε₋₂)/12 and (55ε − 59ε₋₁ + 37ε₋₂ − 9ε₋₃)/24 over the stored εs.
/// - prev_timestep = t − N // n whatever the spacing (as diffusers does, even for trailing/linspace), ᾱ_prev =
///   final_alpha_cumprod when negative.
/// - prediction_type epsilon or v_prediction (diffusers' PNDM has no "sample").
/// - pred_original: diffusers returns none for PNDM; the plugin writes the model's x̂0 at the call's own
///   timestep (from the call's input and raw output), which is not part of the PLMS update.
/// Limitations: none known beyond diffusers' own; a timestep plan that would index past ᾱ throws.
import SamplerSupport

final class PNDM: Sampler {
    static let name = "pndm"
    let config: SchedulerConfig
    let prediction: PredictionType
    let schedule: BetaSchedule
    let finalAlphaCumprod: Float
    private(set) var timesteps: [Int] = []
    private var prkCount = 0
    private var stepRatio = 0

    // diffusers' state (ets, counter, cur_sample, cur_model_output), reset by setTimesteps.
    private var ets: [[Float]] = []
    private var counter = 0
    private var curSample: [Float]? = nil
    private var curModelOutput: [Float]? = nil  // nil = diffusers' integer 0
    /// The first call of this run (img2img); diffusers' counter still starts at 0 there.
    private var beginCall = 0

    init(config: SchedulerConfig) throws {
        prediction = try PredictionType(config.predictionType, allowed: [.epsilon, .vPrediction], sampler: PNDM.name)
        try SamplerParams.checkChoice(config.timestepSpacing, "timestep_spacing", SamplerParams.spacings,
                                      sampler: PNDM.name)
        self.config = config
        schedule = try BetaSchedule(config: config, sampler: PNDM.name)
        finalAlphaCumprod = config.setAlphaToOne ? 1 : schedule.alphasCumprod[0]
    }

    func setTimesteps(_ n: Int) throws {
        let N = config.numTrainTimesteps
        // diffusers' _timesteps, ascending.
        let base = Array(try TimestepPlan.integer(spacing: config.timestepSpacing, steps: n, config: config,
                                                  sampler: PNDM.name).reversed())
        stepRatio = N / n
        var prk: [Int] = [], plms: [Int]
        if config.skipPrkSteps {
            // concat(_t[:-1], _t[-2:-1], _t[-1:])[::-1]: the second-largest timestep twice.
            var p = Array(base.dropLast())
            if base.count >= 2 { p.append(base[base.count - 2]) }
            p.append(base[base.count - 1])
            plms = p.reversed()
        } else {
            guard n >= 4 else {
                throw SamplerError.invalidValue(sampler: PNDM.name, key: "num_inference_steps",
                    message: "the Runge–Kutta warm-up (skip_prk_steps false) needs ≥ 4 steps, got \(n)")
            }
            // _t[-4:].repeat(2) + tile([0, N//n//2], 4), then [:-1].repeat(2)[1:-1][::-1]
            let half = stepRatio / 2
            var r: [Int] = []
            for t in base.suffix(4) { r += [t, t + half] }
            var doubled: [Int] = []
            for t in r.dropLast() { doubled += [t, t] }
            prk = Array(doubled.dropFirst().dropLast().reversed())
            plms = Array(base.dropLast(3).reversed())
        }
        prkCount = prk.count
        timesteps = prk + plms
        // diffusers would index past ᾱ (IndexError) for these plans; say so instead.
        let restart = config.skipPrkSteps && timesteps.count > 1 ? timesteps[1] + stepRatio : 0
        if let bad = (timesteps + [restart]).first(where: { $0 < 0 || $0 >= N }) {
            throw SamplerError.invalidValue(sampler: PNDM.name, key: "timesteps",
                message: "timestep \(bad) outside 0…\(N - 1) with \(n) steps, \(config.timestepSpacing) spacing")
        }
        beginCall = 0
        resetState()
    }

    private func resetState() {
        ets = []
        counter = 0
        curSample = nil
        curModelOutput = nil
    }

    /// img2img: diffusers slices the timesteps and leaves the counter at 0, so the PLMS warm-up (including the
    /// counter == 1 restart from the stored sample) runs on the first calls kept, whatever their timesteps.
    func setBeginCall(_ call: Int) throws {
        beginCall = call
        resetState()
    }

    func addNoise(call: Int, original: UnsafeBufferPointer<Float>, noise: UnsafeBufferPointer<Float>,
                  noisy: UnsafeMutableBufferPointer<Float>) {
        AlphaNoise.add(alphasCumprod: schedule.alphasCumprod, t: timesteps[call], original: original, noise: noise,
                       noisy: noisy)
    }

    var callCount: Int { timesteps.count }
    func timestep(_ call: Int) -> Double { Double(timesteps[call]) }
    var initNoiseSigma: Double { 1 }
    var needsNoise: Bool { false }

    func scaleModelInput(call: Int, _ x: UnsafeMutableBufferPointer<Float>) throws {}

    func step(call: Int, modelOutput: UnsafeBufferPointer<Float>, sample: UnsafeBufferPointer<Float>,
              noise: UnsafeBufferPointer<Float>?, prevSample: UnsafeMutableBufferPointer<Float>,
              predOriginal: UnsafeMutableBufferPointer<Float>?) throws {
        guard call == beginCall + counter else {
            throw SamplerError.callOrder(sampler: PNDM.name,
                message: "step for call \(call) but the next call is \(beginCall + counter): PNDM steps must run in order")
        }
        let t = timesteps[call]
        let eps = Array(modelOutput)
        // Before stepping: prev_sample may alias sample.
        if let predOriginal { writePredOriginal(predOriginal, t, modelOutput, sample) }
        if counter < prkCount && !config.skipPrkSteps {
            try stepPRK(t, eps, sample, prevSample)
        } else {
            try stepPLMS(t, eps, sample, prevSample)
        }
    }

    /// diffusers' PNDM returns no x̂0; this is the model's own at this call: from its input x and raw output at
    /// the call's timestep, (x − √(1−ᾱ)·ε)/√ᾱ (or √ᾱ·x − √(1−ᾱ)·v).
    private func writePredOriginal(_ out: UnsafeMutableBufferPointer<Float>, _ t: Int,
                                   _ eps: UnsafeBufferPointer<Float>, _ x: UnsafeBufferPointer<Float>) {
        let aT = schedule.alphasCumprod[t]
        let sqrtA = aT.squareRoot(), sqrtB = (1 - aT).squareRoot()
        for i in 0..<out.count {
            out[i] = prediction == .vPrediction ? sqrtA * x[i] - sqrtB * eps[i] : (x[i] - sqrtB * eps[i]) / sqrtA
        }
    }

    /// diffusers' step_prk.
    private func stepPRK(_ t: Int, _ eps: [Float], _ sample: UnsafeBufferPointer<Float>,
                         _ prev: UnsafeMutableBufferPointer<Float>) throws {
        let diffToPrev = counter % 2 == 1 ? 0 : stepRatio / 2
        let prevT = t - diffToPrev
        let t4 = timesteps[counter / 4 * 4]
        var out = eps
        let sixth = Float(1.0 / 6.0), third = Float(1.0 / 3.0)
        switch counter % 4 {
        case 0:
            curModelOutput = add(curModelOutput, eps.map { sixth * $0 })
            ets.append(eps)
            curSample = Array(sample)
        case 1, 2:
            curModelOutput = add(curModelOutput, eps.map { third * $0 })
        default:
            out = add(curModelOutput, eps.map { sixth * $0 })
            curModelOutput = nil
        }
        let base = curSample ?? Array(sample)
        try base.withUnsafeBufferPointer { try prevSampleInto(prev, $0, t4, prevT, out) }
        counter += 1
    }

    /// `acc + x` where nil is diffusers' integer 0 (0 + tensor = tensor).
    private func add(_ acc: [Float]?, _ x: [Float]) -> [Float] {
        guard let acc else { return x }
        return zip(acc, x).map { $0 + $1 }
    }

    /// diffusers' step_plms.
    private func stepPLMS(_ callT: Int, _ eps: [Float], _ sample: UnsafeBufferPointer<Float>,
                          _ prev: UnsafeMutableBufferPointer<Float>) throws {
        var t = callT
        var prevT = t - stepRatio
        if counter != 1 {
            ets = Array(ets.suffix(3))
            ets.append(eps)
        } else {
            prevT = t
            t = t + stepRatio
        }
        var x: [Float]? = nil  // the sample to step from when it is not `sample`
        var e: [Float]
        let k = ets.count
        if k == 1 && counter == 0 {
            e = eps
            curSample = Array(sample)
        } else if k == 1 && counter == 1 {
            e = zip(eps, ets[0]).map { ($0 + $1) / 2 }
            x = curSample
            curSample = nil
        } else if k == 2 {
            e = zip(ets[1], ets[0]).map { (3 * $0 - $1) / 2 }
        } else if k == 3 {
            let (a, b, c) = (ets[2], ets[1], ets[0])
            e = (0..<a.count).map { i in (23 * a[i] - 16 * b[i] + 5 * c[i]) / 12 }
        } else {
            let (a, b, c, d) = (ets[k - 1], ets[k - 2], ets[k - 3], ets[k - 4])
            let w = Float(1.0 / 24.0)
            e = (0..<a.count).map { i in w * (55 * a[i] - 59 * b[i] + 37 * c[i] - 9 * d[i]) }
        }
        if let x {
            try x.withUnsafeBufferPointer { try prevSampleInto(prev, $0, t, prevT, e) }
        } else {
            try prevSampleInto(prev, sample, t, prevT, e)
        }
        counter += 1
    }

    /// diffusers' _get_prev_sample (formula (9) of the PNDM paper), float32 as torch computes it.
    private func prevSampleInto(_ prev: UnsafeMutableBufferPointer<Float>, _ x: UnsafeBufferPointer<Float>,
                                _ t: Int, _ prevT: Int, _ eps: [Float]) throws {
        let ac = schedule.alphasCumprod
        let aT = ac[t]
        let aPrev = prevT >= 0 ? ac[prevT] : finalAlphaCumprod
        let bT = 1 - aT
        let bPrev = 1 - aPrev
        let sqrtA = aT.squareRoot(), sqrtB = bT.squareRoot()
        let sampleCoeff = (aPrev / aT).squareRoot()
        let denom = aT * bPrev.squareRoot() + (aT * bT * aPrev).squareRoot()
        let diff = aPrev - aT
        let v = prediction == .vPrediction
        for i in 0..<prev.count {
            let s = x[i]
            let e = v ? sqrtA * eps[i] + sqrtB * s : eps[i]
            prev[i] = sampleCoeff * s - diff * e / denom
        }
    }
}

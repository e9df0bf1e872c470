/// K-LMS — matches diffusers 0.42.1 `LMSDiscreteScheduler` (the sampler of the probing studies), float32
/// operation for operation:
///
/// - Timesteps: linspace (its default: the floats linspace(0, N−1, n) reversed, handed to the model as they are),
///   leading (+ steps_offset) or trailing, all float32.
/// - σ(t) = √((1 − ᾱ)/ᾱ) interpolated linearly (np.interp, float64) at the float timesteps, then float32, with 0
///   appended; init_noise_sigma = max σ (linspace/trailing) or √(max σ² + 1) (leading).
/// - scale_model_input: x / √(σ² + 1); step: x̂0 from epsilon / v_prediction / sample, derivative (x − x̂0)/σ,
///   x_prev = x + Σ_k c_k·d_{−k} over the last `order` derivatives (order 4 by default, fewer at the start).
/// - The coefficients c_k integrate the Lagrange basis polynomial from σ_t to σ_{t+1} as diffusers does with
///   scipy.integrate.quad over a float32 integrand (see GaussKronrod21).
/// Limitations: use_karras_sigmas, use_exponential_sigmas and use_beta_sigmas throw "unsupported"; steps must
/// run in call order (diffusers' step_index counts calls the same way).
import Foundation
import SamplerSupport

final class LMS: Sampler {
    static let name = "lms"
    let config: SchedulerConfig
    let prediction: PredictionType
    let order: Int
    let schedule: BetaSchedule
    /// σ of every training timestep, float32 as torch computes √((1 − ᾱ)/ᾱ). // [N]
    let trainSigmas: [Float]
    private(set) var timesteps: [Float] = []
    /// σ per call, then 0. // [n + 1]
    private(set) var sigmas: [Float] = []
    /// The last `order` derivatives, oldest first (diffusers' self.derivatives).
    private var derivatives: [[Float]] = []
    private var nextCall = 0

    init(config: SchedulerConfig, order: Int) throws {
        for (key, on) in [("use_karras_sigmas", config.useKarrasSigmas),
                          ("use_exponential_sigmas", config.useExponentialSigmas),
                          ("use_beta_sigmas", config.useBetaSigmas)] where on {
            throw SamplerError.unsupported(sampler: LMS.name, key: key,
                                           message: "this sigma schedule is not implemented; set it false")
        }
        guard (1...LMS.maxOrder).contains(order) else {
            throw SamplerError.invalidValue(sampler: LMS.name, key: "order",
                                            message: "must be 1…\(LMS.maxOrder), got \(order)")
        }
        prediction = try PredictionType(config.predictionType, allowed: [.epsilon, .vPrediction, .sample],
                                        sampler: LMS.name)
        try SamplerParams.checkChoice(config.timestepSpacing, "timestep_spacing", SamplerParams.spacings,
                                      sampler: LMS.name)
        self.config = config
        self.order = order
        schedule = try BetaSchedule(config: config, sampler: LMS.name)
        trainSigmas = schedule.alphasCumprod.map { a in ((1 - a) / a).squareRoot() }
    }

    static let maxOrder = 8

    func setTimesteps(_ n: Int) throws {
        let N = config.numTrainTimesteps
        switch config.timestepSpacing {
        case "linspace":
            // np.linspace(0, N − 1, n, dtype=float32)[::-1]
            timesteps = NumpyRanges.linspace(0, Double(N - 1), count: n).reversed().map { Float($0) }
        case "leading":
            // (arange(n) · (N // n)).round()[::-1].astype(float32) + steps_offset (float32 arithmetic)
            let ratio = N / n
            timesteps = (0..<n).reversed().map { Float($0 * ratio) + Float(config.stepsOffset) }
        default:  // trailing: arange(N, 0, −N/n).round().astype(float32) − 1
            timesteps = NumpyRanges.arange(Double(N), 0, step: -Double(N) / Double(n))
                .map { Float(NumpyRanges.round($0)) - 1 }
        }
        if let bad = timesteps.first(where: { !($0 >= 0 && $0 <= Float(N - 1)) }) {
            throw SamplerError.invalidValue(sampler: LMS.name, key: "timesteps",
                message: "timestep \(bad) outside 0…\(N - 1) with \(n) steps, \(config.timestepSpacing) spacing")
        }
        sigmas = timesteps.map { Float(NumpyRanges.interpUnitGrid(Double($0), trainSigmas)) } + [0]
        derivatives = []
        nextCall = 0
    }

    var callCount: Int { timesteps.count }
    func timestep(_ call: Int) -> Double { Double(timesteps[call]) }

    var initNoiseSigma: Double {
        guard let m = sigmas.max() else { return 1 }
        if config.timestepSpacing == "linspace" || config.timestepSpacing == "trailing" { return Double(m) }
        return Double((m * m + 1).squareRoot())
    }

    var needsNoise: Bool { false }

    /// img2img: diffusers' step_index starts at begin_index with no derivatives, so the first steps use the
    /// coefficients of order min(call + 1, order) over the fewer derivatives there are (zip truncates).
    func setBeginCall(_ call: Int) throws {
        derivatives = []
        nextCall = call
    }

    /// original + σ·noise with σ of the begin call (diffusers' add_noise before the first step uses begin_index).
    func addNoise(call: Int, original: UnsafeBufferPointer<Float>, noise: UnsafeBufferPointer<Float>,
                  noisy: UnsafeMutableBufferPointer<Float>) {
        let s = sigmas[call]
        for i in 0..<noisy.count { noisy[i] = original[i] + noise[i] * s }
    }

    func scaleModelInput(call: Int, _ x: UnsafeMutableBufferPointer<Float>) throws {
        let s = sigmas[call]
        let d = (s * s + 1).squareRoot()
        for i in 0..<x.count { x[i] = x[i] / d }
    }

    func step(call: Int, modelOutput eps: UnsafeBufferPointer<Float>, sample x: UnsafeBufferPointer<Float>,
              noise: UnsafeBufferPointer<Float>?, prevSample prev: UnsafeMutableBufferPointer<Float>,
              predOriginal: UnsafeMutableBufferPointer<Float>?) throws {
        guard call == nextCall else {
            throw SamplerError.callOrder(sampler: LMS.name,
                message: "step for call \(call) but the next call is \(nextCall): K-LMS steps must run in order")
        }
        let sigma = sigmas[call]
        let n = prev.count
        let s2p1 = sigma * sigma + 1
        let vCoeff = -sigma / s2p1.squareRoot()
        var x0 = [Float](repeating: 0, count: n)
        var derivative = [Float](repeating: 0, count: n)
        for i in 0..<n {
            switch prediction {
            case .epsilon: x0[i] = x[i] - sigma * eps[i]
            case .vPrediction: x0[i] = eps[i] * vCoeff + x[i] / s2p1
            case .sample: x0[i] = eps[i]
            }
            derivative[i] = (x[i] - x0[i]) / sigma
        }
        derivatives.append(derivative)
        if derivatives.count > order { derivatives.removeFirst() }
        let k = min(call + 1, order)
        let coeffs = (0..<k).map { lmsCoefficient(order: k, t: call, current: $0) }
        // prev = sample + sum(c·d for c, d in zip(coeffs, reversed(derivatives))), Python's sum from 0.
        let recent = Array(derivatives.reversed())
        for i in 0..<n {
            var acc = Float(coeffs[0]) * recent[0][i]
            for j in 1..<min(k, recent.count) { acc = acc + Float(coeffs[j]) * recent[j][i] }
            let p = x[i] + acc
            predOriginal?[i] = x0[i]
            prev[i] = p
        }
        nextCall += 1
    }

    /// diffusers' get_lms_coefficient(order, t, current_order) over this plan's sigmas.
    func lmsCoefficient(order: Int, t: Int, current: Int) -> Double {
        LMSCoefficients.coefficient(sigmas: sigmas, order: order, t: t, current: current)
    }
}

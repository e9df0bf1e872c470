// SamplerSupport — βs and ᾱ = cumprod(1 − β) exactly as diffusers' schedulers build them in float32.
//
// Matches the shared `__init__` code of DDIMScheduler, PNDMScheduler and LMSDiscreteScheduler (diffusers 0.42.1):
//   linear            torch.linspace(beta_start, beta_end, n, float32)
//   scaled_linear     torch.linspace(beta_start**0.5, beta_end**0.5, n, float32) ** 2
//   squaredcos_cap_v2 betas_for_alpha_bar(n) (cosine ᾱ(t), β capped at 0.999; Python doubles → float32)
//   trained_betas     the list as float32
// then alphas = 1 − betas (float32) and ᾱ = torch.cumprod (double accumulator, float32 per element).
// rescale_betas_zero_snr is not supported.
import Foundation

public struct BetaSchedule {
    /// β per training step. // [num_train_timesteps]
    public let betas: [Float]
    /// ᾱ per training step. // [num_train_timesteps]
    public let alphasCumprod: [Float]

    public init(config c: SchedulerConfig, sampler: String) throws {
        if c.rescaleBetasZeroSnr {
            throw SamplerError.unsupported(sampler: sampler, key: "rescale_betas_zero_snr",
                                           message: "zero-terminal-SNR rescaling is not implemented")
        }
        let n = c.numTrainTimesteps
        var b: [Float]
        if let trained = c.trainedBetas {
            guard trained.count == n else {
                throw SamplerError.invalidValue(sampler: sampler, key: "trained_betas",
                    message: "has \(trained.count) values but num_train_timesteps is \(n)")
            }
            b = trained.map { Float($0) }
        } else {
            switch c.betaSchedule {
            case "linear":
                b = TorchFloat32.linspace(c.betaStart, c.betaEnd, count: n)
            case "scaled_linear":
                // Python's `x ** 0.5` is libm pow, the same function as Foundation's pow here.
                b = TorchFloat32.linspace(pow(c.betaStart, 0.5), pow(c.betaEnd, 0.5), count: n).map { $0 * $0 }
            case "squaredcos_cap_v2":
                b = BetaSchedule.cosineBetas(count: n)
            default:
                throw SamplerError.invalidValue(sampler: sampler, key: "beta_schedule",
                    message: "'\(c.betaSchedule)' is not one of linear, scaled_linear, squaredcos_cap_v2")
            }
        }
        betas = b
        alphasCumprod = TorchFloat32.cumprod(b.map { 1 - $0 })
    }

    /// diffusers' betas_for_alpha_bar with the cosine transform and max_beta 0.999, in double, then float32.
    static func cosineBetas(count n: Int) -> [Float] {
        func alphaBar(_ t: Double) -> Double {
            let c = cos((t + 0.008) / 1.008 * Double.pi / 2)
            return pow(c, 2)  // Python's `** 2` on a float is libm pow
        }
        return (0..<n).map { i in
            let t1 = Double(i) / Double(n), t2 = Double(i + 1) / Double(n)
            return Float(min(1 - alphaBar(t2) / alphaBar(t1), 0.999))
        }
    }
}

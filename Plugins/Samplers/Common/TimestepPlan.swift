// SamplerSupport — diffusers' integer timestep plans for DDIMScheduler and PNDMScheduler.
//
// All three spacings as numpy computes them (NumpyRanges), returned in *descending* order:
//   leading   (arange(n) · (N // n)).round() + steps_offset
//   trailing  round(arange(N, 0, −N/n)) − 1              (steps_offset is not applied, as in diffusers)
//   linspace  linspace(0, N − 1, n).round()              (steps_offset is not applied, as in diffusers)
public enum TimestepPlan {
    /// Descending integer timesteps; throws when a value falls outside [0, N − 1] (diffusers would index past ᾱ).
    public static func integer(spacing: String, steps n: Int, config c: SchedulerConfig,
                               sampler: String) throws -> [Int] {
        let N = c.numTrainTimesteps
        guard n <= N else {
            throw SamplerError.invalidValue(sampler: sampler, key: "num_inference_steps",
                message: "\(n) is larger than num_train_timesteps \(N)")
        }
        var t: [Int]
        switch spacing {
        case "leading":
            let ratio = N / n
            t = (0..<n).reversed().map { $0 * ratio + c.stepsOffset }
        case "trailing":
            t = NumpyRanges.arange(Double(N), 0, step: -Double(N) / Double(n)).map { Int(NumpyRanges.round($0)) - 1 }
        case "linspace":
            t = NumpyRanges.linspace(0, Double(N - 1), count: n).reversed().map { Int(NumpyRanges.round($0)) }
        default:
            throw SamplerError.invalidValue(sampler: sampler, key: "timestep_spacing",
                message: "'\(spacing)' is not one of leading, trailing, linspace")
        }
        if let bad = t.first(where: { $0 < 0 || $0 >= N }) {
            throw SamplerError.invalidValue(sampler: sampler, key: "timesteps",
                message: "timestep \(bad) outside 0…\(N - 1) with \(n) steps, \(spacing) spacing, steps_offset \(c.stepsOffset)")
        }
        return t
    }
}

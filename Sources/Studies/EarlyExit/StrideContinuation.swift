// The stride policy's continuation: from x at the timestep of call c_0 of the sampler's plan, visit calls
// c_0 < c_1 < … < c_m = U − 1 (EarlyExitPolicy.callsAfter). At each visited call c_i < U − 1:
//
//   ε = guided UNet(x, t_{c_i});  x̂0 = the sampler's pred_original at c_i  (so v-prediction and clipping follow
//   the sampler);  ε̂ = (x − a_i·x̂0) / b_i;  x ← a_j·x̂0 + b_j·ε̂   with j = c_{i+1}
//
// where a·x̂0 + b·ε is the sampler's own add_noise at that call (DDIM/PNDM: a = √ᾱ_t, b = √(1 − ᾱ_t)). That is
// DDIM's deterministic update (Song et al., eq. 12 with σ = 0) between any two timesteps of the grid — the update
// DDIM makes anyway, here with a larger gap; with S = 1 it is DDIM's own step for evenly spaced timesteps. The last
// visited call is the sampler's own step (DDIM is memoryless, so it does not care how x got there).
//
// Only samplers for which this is DDIM are accepted: memoryless (not LDMP_CAP_SAMPLER_STATEFUL), deterministic
// (no step noise) and with add_noise. PNDM and K-LMS keep past predictions that a jump would corrupt (PNDM's
// counter and ets, K-LMS's derivative history) and are refused with that reason; their `stop` policy works.
import Pipeline
import PluginHost
import Tensor

public struct StrideContinuation {
    public let pipeline: DiffusionPipeline

    public init(pipeline: DiffusionPipeline) { self.pipeline = pipeline }

    /// Why `sampler` cannot take the stride policy, or nil when it can.
    public static func refusal(_ sampler: SamplerPlugin) -> String? {
        if sampler.isStateful {
            return "sampler '\(sampler.name)' keeps past predictions (stateful: PNDM's ets, K-LMS's derivatives), "
                + "which a jump between timesteps corrupts; use --sampler ddim for --stride, or only the stop policy"
        }
        if !sampler.supportsImg2Img {
            return "sampler '\(sampler.name)' has no add_noise (an older plugin), which the DDIM jump needs"
        }
        return nil
    }

    /// The final latent [1, 4, h, w] from `x` (the latent after the first `calls[0]` calls) through `calls`, and
    /// the timestep of each visited call. `states`: the pipeline's conditioning(for:) of the image's prompt.
    public func run(from x: [Float], calls: [Int], states: Tensor,
                    image id: String) throws -> (latent: [Float], timesteps: [Double]) {
        let s = try pipeline.sampler.instantiate(schedulerConfigJSON: pipeline.schedulerConfigJSON)
        try s.setTimesteps(pipeline.settings.steps)
        if s.needsNoise {
            throw StudiesError.option(flag: "stride", value: "\(pipeline.sampler.name)",
                                      reason: "the sampler draws noise at each step (eta > 0); the DDIM jump is deterministic — use eta=0")
        }
        let shape = pipeline.latentShape, n = x.count
        var x = x
        let timesteps = try calls.map { try s.timestep($0) }
        for (i, call) in calls.enumerated() {
            let eps = try pipeline.guidedNoise(x, call: call, sampler: s, context: states, image: id)
            let r = try s.step(call: call, modelOutput: eps, sample: x, shape: shape, wantPredOriginal: true)
            guard i + 1 < calls.count else { return (r.prevSample, timesteps) }
            guard let x0 = r.predOriginal else {
                throw StudiesError.option(flag: "stride", value: pipeline.sampler.name,
                                          reason: "the sampler returned no x̂0 (pred_original), which the DDIM jump needs")
            }
            let ones = [Float](repeating: 1, count: n), zeros = [Float](repeating: 0, count: n)
            let a = try s.addNoise(call: call, original: ones, noise: zeros, shape: shape)   // √ᾱ_t per element
            let b = try s.addNoise(call: call, original: zeros, noise: ones, shape: shape)   // √(1 − ᾱ_t)
            guard b.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw StudiesError.option(flag: "stride", value: "call \(call)",
                                          reason: "the sampler's noise level there is 0 or not finite; no ε can be recovered")
            }
            let epsHat = (0 ..< n).map { (x[$0] - a[$0] * x0[$0]) / b[$0] }
            x = try s.addNoise(call: calls[i + 1], original: x0, noise: epsHat, shape: shape)
        }
        return (x, timesteps)
    }
}

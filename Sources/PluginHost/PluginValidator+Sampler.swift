// PluginHost — validate-plugin's sampler checks: plans within bounds, finite steps on random finite inputs,
// bitwise-deterministic runs (fresh instance, reset instance, two interleaved instances), and, unless the sampler
// declares LDMP_CAP_SAMPLER_STATEFUL, calls that do not depend on their order.
import Foundation
import SeededRandom

extension PluginValidator {
    static let samplerShape = [1, 4, 8, 8]
    static let samplerSteps = 10

    /// One call's inputs and outputs.
    struct SamplerCall: Equatable {
        var sample, scaled, modelOutput: [Float]
        var noise: [Float]?
        var prev, predOriginal: [Float]
    }

    static func checkSampler(_ plugin: SamplerPlugin, _ o: ValidationOptions, _ r: inout Recorder) {
        r.run("create-destroy") {
            try createDestroy(o.repeats) {
                let s = try plugin.instantiate()
                try s.setTimesteps(samplerSteps)
            }
        }
        r.run("timesteps") { try checkPlans(plugin) }
        guard let reference = r.value("finite", {
            let run = try sample([try plugin.instantiate()], seed: o.seed)
            let peak = run.map { $0.prev.map(abs).max() ?? 0 }.max() ?? 0
            return (run, "\(run.count) calls of \(samplerSteps) steps on \(samplerShape), random N(0,1) model "
                    + "output: every scaled input, x_prev and x0 finite (max |x_prev| \(peak))")
        }) else { return }
        r.run("deterministic") {
            let fresh = try sample([try plugin.instantiate()], seed: o.seed)
            guard fresh == reference else { throw ValidationFailure("a fresh instance " + differs(fresh, reference)) }
            let s = try plugin.instantiate()
            _ = try sample([s], seed: o.seed &+ 1)
            let again = try sample([s], seed: o.seed)
            guard again == reference else {
                throw ValidationFailure("after set_timesteps again (which must reset all state), " + differs(again, reference))
            }
            return "fresh instance and reset instance repeat the run bit for bit"
        }
        r.run("two-instances") {
            let runs = try sample([try plugin.instantiate(), try plugin.instantiate()], seed: o.seed)
            guard runs == reference else {
                throw ValidationFailure("two instances stepped alternately: " + differs(runs, reference))
            }
            return "two instances stepped alternately match a lone one bit for bit"
        }
        r.run("stateless") {
            guard !plugin.isStateful else {
                return "declares LDMP_CAP_SAMPLER_STATEFUL: calls must come in order (not checked)"
            }
            let s = try plugin.instantiate()
            try s.setTimesteps(samplerSteps)
            for (call, c) in reference.enumerated().reversed() {
                let out = try s.step(call: call, modelOutput: c.modelOutput, sample: c.sample, noise: c.noise,
                                     shape: samplerShape, wantPredOriginal: true)
                guard out.prevSample == c.prev else {
                    throw ValidationFailure("step(\(call)) called in reverse order gives another x_prev (maxdiff "
                        + "\(maxDiff(out.prevSample, c.prev))): declare LDMP_CAP_SAMPLER_STATEFUL if step keeps state")
                }
            }
            return "no LDMP_CAP_SAMPLER_STATEFUL, and calls in reverse order give the same outputs"
        }
    }

    /// set_timesteps(n) for a few n: n ≤ calls ≤ 2n + 1, timesteps finite in [0, 1000] and non-increasing,
    /// init_noise_sigma finite and > 0 (SD v1.4's config).
    static func checkPlans(_ plugin: SamplerPlugin) throws -> String {
        let s = try plugin.instantiate()
        var counts: [Int] = []
        for n in [1, 2, 7, 25, 50] {
            try s.setTimesteps(n)
            let calls = s.callCount
            guard calls >= n && calls <= 2 * n + 1 else {
                throw ValidationFailure("set_timesteps(\(n)) plans \(calls) calls; expected \(n)…\(2 * n + 1)")
            }
            let t = s.timesteps
            if let bad = t.firstIndex(where: { !$0.isFinite || $0 < 0 || $0 > 1000 }) {
                throw ValidationFailure("set_timesteps(\(n)): timestep(\(bad)) = \(t[bad]) is outside [0, 1000]")
            }
            if let k = t.indices.dropFirst().first(where: { t[$0] > t[$0 - 1] }) {
                throw ValidationFailure("set_timesteps(\(n)): timestep(\(k)) = \(t[k]) > timestep(\(k - 1)) = \(t[k - 1])")
            }
            let sigma = s.initNoiseSigma
            guard sigma.isFinite && sigma > 0 else {
                throw ValidationFailure("set_timesteps(\(n)): init_noise_sigma \(sigma) is not finite and > 0")
            }
            counts.append(calls)
        }
        return "calls for 1/2/7/25/50 steps: " + counts.map(String.init).joined(separator: "/")
            + "; timesteps in [0, 1000], non-increasing"
    }

    /// Runs samplerSteps steps with a random model: every instance takes every call, one after the other (so
    /// two instances interleave), and all must agree bit for bit. Returns the calls.
    static func sample(_ instances: [SamplerInstance], seed: UInt64) throws -> [SamplerCall] {
        var rng = SplitMix64(seed: seed)
        let n = samplerShape.reduce(1, *)
        for s in instances { try s.setTimesteps(samplerSteps) }
        guard let first = instances.first else { return [] }
        let sigma = Float(first.initNoiseSigma)
        var x = normal(n, &rng).map { $0 * sigma }
        var calls: [SamplerCall] = []
        for call in 0..<first.callCount {
            let eps = normal(n, &rng)
            let noise = first.needsNoise ? normal(n, &rng) : nil
            var results: [SamplerCall] = []
            for s in instances {
                var scaled = x
                try s.scaleModelInput(call: call, sample: &scaled, shape: samplerShape)
                let out = try s.step(call: call, modelOutput: eps, sample: x, noise: noise, shape: samplerShape,
                                     wantPredOriginal: true)
                results.append(SamplerCall(sample: x, scaled: scaled, modelOutput: eps, noise: noise,
                                           prev: out.prevSample, predOriginal: out.predOriginal ?? []))
            }
            let c = results[0]
            try requireFinite(c.scaled, "scale_model_input(\(call))")
            try requireFinite(c.prev, "step(\(call)) x_prev")
            try requireFinite(c.predOriginal, "step(\(call)) pred_original")
            for (k, other) in results.enumerated().dropFirst() where other != c {
                throw ValidationFailure("instance \(k) differs from instance 0 at call \(call) (x_prev maxdiff "
                                        + "\(maxDiff(other.prev, c.prev)))")
            }
            calls.append(c)
            x = c.prev
        }
        return calls
    }

    static func differs(_ a: [SamplerCall], _ b: [SamplerCall]) -> String {
        guard a.count == b.count else { return "plans \(a.count) calls, the first run \(b.count)" }
        let k = a.indices.first { a[$0] != b[$0] } ?? 0
        return "differs from the first run at call \(k) (x_prev maxdiff \(maxDiff(a[k].prev, b[k].prev)))"
    }
}

// SamplerTests — each sampler plugin, loaded by PluginHost and driven like the pipeline drives it, against
// diffusers 0.42.1 step for step: timesteps exactly, init_noise_sigma, scaled model inputs, every prev_sample and
// pred_original_sample within 1e-6 relative (max |Δ| / max |reference| per call; maxdiff printed per case).
//
// The chain is the plugin's own (x = its previous prev_sample), so differences accumulate as in a real run.
// They are not bit-exact: torch 2.13's float32 sqrt on this CPU (MKL path) is not correctly rounded (≈20% of
// values differ by ≤ 0.75 ulp), while the plugins use IEEE sqrt.
import Foundation
import PluginHost
import XCTest

final class SamplerParityTests: XCTestCase {
    static let tolerance: Float = 1e-6
    static let product = ["ddim": "DDIMSampler", "pndm": "PNDMSampler", "lms": "LMSSampler"]

    nonisolated(unsafe) static var registries: [String: PluginRegistry] = [:]

    /// A registry holding just this plugin library from the build's product folder (made once per library).
    static func registry(_ scheduler: String) throws -> PluginRegistry {
        if let r = registries[scheduler] { return r }
        let lib = RawSamplerLibrary.productDirectory.appendingPathComponent("lib\(product[scheduler]!).so").path
        let r = try PluginRegistry.discover(extraPaths: [lib], useEnvironment: false, useExecutableFolder: false)
        XCTAssertTrue(r.failures.isEmpty, "\(r.failures)")
        registries[scheduler] = r
        return r
    }

    /// `name:k=v,…` as a user types it.
    static func spec(_ name: String, _ params: [String: String]) -> String {
        params.isEmpty ? name : name + ":" + params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            .joined(separator: ",")
    }

    func runCases(_ scheduler: String) throws {
        let fixture = try SchedulerFixture.load()
        let registry = try Self.registry(scheduler)
        let cases = fixture.cases.filter { $0.scheduler == scheduler }
        XCTAssertFalse(cases.isEmpty)
        for c in cases {
            let plugin = try registry.sampler(spec: Self.spec(scheduler, c.params))
            let s = try plugin.instantiate(schedulerConfigJSON: c.config)
            try Self.check(c, s)
        }
    }

    /// Runs one fixture case on a fresh instance; returns the worst per-call relative difference.
    @discardableResult
    static func check(_ c: SchedulerFixture.Case, _ s: SamplerInstance, label: String? = nil) throws -> Float {
        let name = label ?? c.name
        try s.setTimesteps(c.steps)
        XCTAssertEqual(s.callCount, c.call_count, name)
        XCTAssertEqual(s.timesteps, c.timesteps, "\(name): timesteps")
        let sigmaRel = abs(s.initNoiseSigma - c.init_noise_sigma) / c.init_noise_sigma
        XCTAssertLessThanOrEqual(sigmaRel, 1e-6, "\(name): init_noise_sigma \(s.initNoiseSigma) vs \(c.init_noise_sigma)")
        XCTAssertEqual(s.needsNoise, c.noise != nil, "\(name): needs_noise")

        let (shape, sample) = try SchedulerFixture.array(c.sample)
        let eps = try SchedulerFixture.array(c.model_outputs).values
        let prevRef = try SchedulerFixture.array(c.prev_samples).values
        let x0Ref = try c.pred_original.map { try SchedulerFixture.array($0).values }
        let noise = try c.noise.map { try SchedulerFixture.array($0).values }
        let scaledRef = try c.scaled_inputs.map { try SchedulerFixture.array($0).values }
        let n = sample.count

        let sigma = Float(s.initNoiseSigma)
        var x = sample.map { $0 * sigma }  // the host: latents = noise · init_noise_sigma (float32)
        var dPrev = Diff(), dX0 = Diff(), dIn = Diff()
        var worst: Float = 0
        for call in 0..<s.callCount {
            let r = call * n ..< (call + 1) * n
            var xin = x
            try s.scaleModelInput(call: call, sample: &xin, shape: shape)
            if let scaledRef {
                dIn.add(xin[...], scaledRef[r])
                worst = Diff.worse(worst, Diff.rel(xin[...], scaledRef[r]))
            } else {
                XCTAssertEqual(xin, x, "\(name) call \(call): scale_model_input must not change the input")
            }
            let out = try s.step(call: call, modelOutput: Array(eps[r]), sample: x, noise: noise.map { Array($0[r]) },
                                 shape: shape, wantPredOriginal: x0Ref != nil)
            dPrev.add(out.prevSample[...], prevRef[r])
            worst = Diff.worse(worst, Diff.rel(out.prevSample[...], prevRef[r]))
            if let x0Ref, let x0 = out.predOriginal {
                dX0.add(x0[...], x0Ref[r])
                worst = Diff.worse(worst, Diff.rel(x0[...], x0Ref[r]))
            }
            x = out.prevSample
        }
        print("\(name): \(s.callCount) calls; prev_sample \(dPrev)"
              + (x0Ref != nil ? "; pred_original \(dX0)" : "")
              + (scaledRef != nil ? "; scaled input \(dIn)" : "")
              + String(format: "; worst per-call rel %.3g", worst))
        XCTAssertLessThanOrEqual(worst, tolerance, "\(name): relative difference per call")
        return worst
    }

    func testDDIMMatchesDiffusers() throws { try runCases("ddim") }
    func testPNDMMatchesDiffusers() throws { try runCases("pndm") }
    func testLMSMatchesDiffusers() throws { try runCases("lms") }

    /// prediction_type and timestep_spacing given as parameters over SD v1.4's built-in config behave exactly
    /// like the same keys in the config file.
    func testParametersOverrideConfig() throws {
        let fixture = try SchedulerFixture.load()
        let overrides: [(String, String, [String: String])] = [
            ("ddim_sd14_vpred_15", "ddim", ["prediction_type": "v_prediction"]),
            ("pndm_sd14_vpred_15", "pndm", ["prediction_type": "v_prediction"]),
            ("lms_sd14_vpred_15", "lms", ["prediction_type": "v_prediction"]),
            ("ddim_sd14_trailing_7", "ddim", ["timestep_spacing": "trailing"]),
            ("lms_sd14_leading_7", "lms", ["timestep_spacing": "leading"]),
        ]
        for (caseName, scheduler, params) in overrides {
            let c = try XCTUnwrap(fixture.cases.first { $0.name == caseName })
            let plugin = try Self.registry(scheduler).sampler(spec: Self.spec(scheduler, params))
            try Self.check(c, try plugin.instantiate(schedulerConfigJSON: nil), label: "\(caseName) via \(params)")
        }
    }
}

extension SamplerParityTests {
    /// sampler.h allows prev_sample to alias sample: stepping in place gives the same numbers, and PNDM's
    /// pred_original (which diffusers does not return) is the model's x̂0 at the call's own timestep.
    func testInPlaceStepsAndPNDMPredOriginal() throws {
        let fixture = try SchedulerFixture.load()
        for name in ["ddim_sd14_eta05_15", "pndm_sd14_15", "lms_sd14_15"] {
            let c = try XCTUnwrap(fixture.cases.first { $0.name == name })
            let plugin = try Self.registry(c.scheduler).sampler(spec: Self.spec(c.scheduler, c.params))
            let a = try plugin.instantiate(schedulerConfigJSON: c.config)
            let b = try plugin.instantiate(schedulerConfigJSON: c.config)
            try a.setTimesteps(c.steps)
            try b.setTimesteps(c.steps)
            let (shape, sample) = try SchedulerFixture.array(c.sample)
            let eps = try SchedulerFixture.array(c.model_outputs).values
            let noise = try c.noise.map { try SchedulerFixture.array($0).values }
            let alphas = try SchedulerFixture.array(c.alphas_cumprod).values
            let n = sample.count
            var x = sample.map { $0 * Float(a.initNoiseSigma) }
            var inPlace = x
            for call in 0..<a.callCount {
                let r = call * n ..< (call + 1) * n
                let e = Array(eps[r]), z = noise.map { Array($0[r]) }
                let out = try a.step(call: call, modelOutput: e, sample: x, noise: z, shape: shape,
                                     wantPredOriginal: true)
                var x0 = [Float](repeating: 0, count: n)
                try e.withUnsafeBufferPointer { ep in
                    try inPlace.withUnsafeMutableBufferPointer { xp in
                        try x0.withUnsafeMutableBufferPointer { op in
                            func go(_ zp: UnsafeBufferPointer<Float>?) throws {
                                try b.step(call: call, modelOutput: ep, sample: UnsafeBufferPointer(xp), noise: zp,
                                           prevSample: xp, predOriginal: op, shape: shape)
                            }
                            if let z { try z.withUnsafeBufferPointer { try go($0) } } else { try go(nil) }
                        }
                    }
                }
                XCTAssertEqual(inPlace, out.prevSample, "\(name) call \(call): in place")
                XCTAssertEqual(x0, out.predOriginal, "\(name) call \(call): pred_original in place")
                if c.scheduler == "pndm", let got = out.predOriginal {
                    let aT = alphas[Int(c.timesteps[call])]
                    let want = zip(x, e).map { ($0 - (1 - aT).squareRoot() * $1) / aT.squareRoot() }
                    XCTAssertLessThanOrEqual(Diff.rel(got[...], want[...]), 1e-6, "\(name) call \(call): x̂0")
                }
                x = out.prevSample
            }
        }
    }
}

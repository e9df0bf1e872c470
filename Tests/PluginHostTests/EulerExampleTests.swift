// The C example plugin against diffusers EulerDiscreteScheduler (Tests/Fixtures/PluginHost/euler.json, made by
// tools/make_plugin_fixtures.py), driven through the Swift SamplerInstance wrapper.
import Foundation
import PluginHost
import XCTest

final class EulerExampleTests: XCTestCase {
    struct Fixture: Decodable {
        struct Step: Decodable {
            var call: Int
            var sample, model_output, scaled, prev_sample, pred_original: [Float]
        }
        struct Case: Decodable {
            var name: String
            var steps: Int
            var params: [String: JSONValue]
            var timesteps, sigmas: [Double]
            var init_noise_sigma: Double
            var shape: [Int]
            var steps_checked: [Step]
        }
        var reference: String
        var cases: [Case]
    }

    enum JSONValue: Decodable, CustomStringConvertible {
        case string(String), number(Double)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .string(s) } else { self = .number(try c.decode(Double.self)) }
        }
        var description: String {
            switch self {
            case .string(let s): return s
            case .number(let d): return d == d.rounded() ? String(Int(d)) : String(d)
            }
        }
    }

    static func fixture() throws -> Fixture {
        let data = try Data(contentsOf: TestLibraries.fixtures.appendingPathComponent("euler.json"))
        return try JSONDecoder().decode(Fixture.self, from: data)
    }

    /// max |a − b| / max(1, |b|).
    func maxRelDiff(_ a: [Float], _ b: [Float]) -> Float {
        XCTAssertEqual(a.count, b.count)
        return a.count == b.count ? zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.reduce(0) { $0.isNaN || $1.isNaN ? .nan : max($0, $1) } : .infinity
    }

    /// Runs one fixture case on `s`; returns (timesteps maxdiff, init_noise_sigma reldiff, step outputs max reldiff).
    func compare(_ c: Fixture.Case, _ s: SamplerInstance) throws -> (Double, Double, Float) {
        try s.setTimesteps(c.steps)
        XCTAssertEqual(s.callCount, c.steps)
        XCTAssertFalse(s.needsNoise)
        let tdiff = zip(s.timesteps, c.timesteps).map { abs($0 - $1) }.reduce(0) { $0.isNaN || $1.isNaN ? .nan : max($0, $1) }
        let sigmaDiff = abs(s.initNoiseSigma - c.init_noise_sigma) / c.init_noise_sigma
        var stepDiff: Float = 0
        for st in c.steps_checked {
            var scaled = st.sample
            try s.scaleModelInput(call: st.call, sample: &scaled, shape: c.shape)
            let out = try s.step(call: st.call, modelOutput: st.model_output, sample: st.sample, shape: c.shape,
                                 wantPredOriginal: true)
            for d in [maxRelDiff(scaled, st.scaled), maxRelDiff(out.prevSample, st.prev_sample),
                      maxRelDiff(try XCTUnwrap(out.predOriginal), st.pred_original)] {
                stepDiff = stepDiff.isNaN || d.isNaN ? .nan : max(stepDiff, d)
            }
        }
        XCTAssertEqual(tdiff, 0, accuracy: 1e-3)
        XCTAssertLessThan(sigmaDiff, 1e-5)
        XCTAssertLessThan(stepDiff, 2e-5)
        return (tdiff, sigmaDiff, stepDiff)
    }

    func testMatchesDiffusersEuler() throws {
        let fx = try Self.fixture()
        let r = try TestLibraries.registry()
        print("reference: \(fx.reference)")
        for c in fx.cases {
            let spec = "example-euler:" + c.params.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
            let (tdiff, sigmaDiff, stepDiff) = try compare(c, try r.sampler(spec: spec).instantiate())
            print("euler \(c.name) (\(spec), \(c.steps) steps): timesteps maxdiff \(tdiff), init_noise_sigma "
                  + "reldiff \(sigmaDiff), step outputs max reldiff \(stepDiff)")
        }
    }

    /// The same cases with the settings in the scheduler config instead of parameters (read through
    /// host->json_*), next to keys the example ignores; a parameter the user sets still wins.
    func testHonoursSchedulerConfig() throws {
        let fx = try Self.fixture()
        let r = try TestLibraries.registry()
        for c in fx.cases {
            var keys = c.params.map { k, v -> String in
                if case .string(let text) = v { return "\"\(k)\": \"\(text)\"" }
                return "\"\(k)\": \(v)"
            }
            keys += ["\"_class_name\": \"EulerDiscreteScheduler\"", "\"beta_schedule\": \"scaled_linear\"",
                     "\"trained_betas\": null", "\"use_karras_sigmas\": false", "\"clip_sample\": false"]
            let json = "{" + keys.sorted().joined(separator: ", ") + "}"
            let (tdiff, sigmaDiff, stepDiff) = try compare(c, try r.sampler(spec: "example-euler")
                .instantiate(schedulerConfigJSON: json))
            print("euler \(c.name) from config \(json): timesteps maxdiff \(tdiff), init_noise_sigma reldiff "
                  + "\(sigmaDiff), step outputs max reldiff \(stepDiff)")
        }
        let trailing = try XCTUnwrap(fx.cases.first { $0.name == "trailing" })
        _ = try compare(trailing, try r.sampler(spec: "example-euler:timestep_spacing=trailing")
            .instantiate(schedulerConfigJSON: "{\"timestep_spacing\": \"leading\", \"steps_offset\": 1}"))
    }

    func testSchedulerConfigErrors() throws {
        let euler = try TestLibraries.registry().sampler(spec: "example-euler")
        let cases: [(String, String)] = [
            ("{\"beta_schedule\": \"linear\"}", "example-euler.create failed (LDMP_ERR_UNSUPPORTED (4)): "
             + "example-euler: scheduler config beta_schedule 'linear' is not supported (only scaled_linear)"),
            ("{\"num_train_timesteps\": \"1000\"}", "example-euler.create failed (LDMP_ERR_INVALID_ARGUMENT (1)): "
             + "example-euler: scheduler config key 'num_train_timesteps' is a string, expected a number"),
            ("{\"timestep_spacing\": 3}", "example-euler.create failed (LDMP_ERR_INVALID_ARGUMENT (1)): "
             + "example-euler: scheduler config key 'timestep_spacing' is a number, expected a string"),
            ("{\"trained_betas\": [0.1, \"x\"]}", "example-euler.create failed (LDMP_ERR_INVALID_ARGUMENT (1)): "
             + "example-euler: scheduler config key 'trained_betas': element 1 is a string, expected a number"),
            ("{\"trained_betas\": [0.1, 0.2]}", "example-euler.create failed (LDMP_ERR_UNSUPPORTED (4)): "
             + "example-euler: scheduler config trained_betas is not supported"),
            ("{\"timestep_spacing\": \"\"}", "example-euler.create failed (LDMP_ERR_INVALID_ARGUMENT (1)): "
             + "example-euler: scheduler config timestep_spacing must be linspace, leading or trailing"),
            ("{\"beta_schedule\": \"\(String(repeating: "x", count: 70))\"}",
             "example-euler.create failed (LDMP_ERR_INVALID_ARGUMENT (1)): example-euler: scheduler config key "
             + "'beta_schedule': string of 70 bytes does not fit a buffer of 64 (hint: pass buf NULL to ask the length)"),
            ("[1, 2]", "example-euler.create failed (LDMP_ERR_INVALID_ARGUMENT (1)): "
             + "example-euler: scheduler config: not a JSON object (while reading 'num_train_timesteps')"),
        ]
        for (json, message) in cases {
            XCTAssertThrowsError(try euler.instantiate(schedulerConfigJSON: json), json) { e in
                XCTAssertEqual("\(e)", message)
            }
        }
    }

    /// In-place step (prev_sample aliasing sample) gives the same result.
    func testStepInPlace() throws {
        let c = try Self.fixture().cases[0]
        let s = try TestLibraries.registry().sampler(spec: "example-euler").instantiate()
        try s.setTimesteps(c.steps)
        let st = c.steps_checked[1]
        var x = st.sample
        try st.model_output.withUnsafeBufferPointer { eps in
            try x.withUnsafeMutableBufferPointer { xb in
                try s.step(call: st.call, modelOutput: eps, sample: UnsafeBufferPointer(xb), noise: nil,
                           prevSample: xb, predOriginal: nil, shape: c.shape)
            }
        }
        XCTAssertLessThan(maxRelDiff(x, st.prev_sample), 2e-5)
    }

    func testHostChecksAndPluginErrors() throws {
        let s = try TestLibraries.registry().sampler(spec: "example-euler").instantiate()
        XCTAssertThrowsError(try s.step(call: 0, modelOutput: [0], sample: [0], shape: [1])) { e in
            XCTAssertEqual("\(e)", "example-euler.step: call 0 out of range 0..<0 (setTimesteps first?)")
        }
        XCTAssertThrowsError(try s.setTimesteps(5000)) { e in
            // The plugin's own message, attached by the host from report_error.
            XCTAssertEqual("\(e)", "example-euler.set_timesteps failed (LDMP_ERR_INVALID_ARGUMENT (1)): "
                           + "example-euler: 5000 steps out of range 1…1000 (num_train_timesteps)")
        }
        try s.setTimesteps(4)
        XCTAssertThrowsError(try s.step(call: 0, modelOutput: [1, 2], sample: [1, 2, 3], shape: [3])) { e in
            XCTAssertEqual("\(e)", "example-euler.step: model_output has 2 values, shape [3] needs 3")
        }
    }
}

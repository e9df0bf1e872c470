// SamplerTests — bad parameters, bad configs and bad calls fail with a status and a message that names the
// problem, both where the host checks (PluginHost's parameter binding) and inside the plugin (raw C ABI).
import Foundation
import PluginABI
import PluginHost
import XCTest

final class SamplerErrorTests: XCTestCase {
    let shape = [1, 4, 2, 2]
    var zeros: [Float] { [Float](repeating: 0, count: 16) }

    /// `body` throws, and its message contains every string of `expected`.
    func assertFails(_ what: String, _ expected: [String], _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("\(what): expected an error")
        } catch {
            let m = String(describing: error)
            print("\(what) → \(m)")
            for e in expected { XCTAssertTrue(m.contains(e), "\(what): '\(m)' should mention '\(e)'") }
        }
    }

    func testHostRejectsUnknownAndOutOfRangeParameters() throws {
        let ddim = try SamplerParityTests.registry("ddim")
        let lms = try SamplerParityTests.registry("lms")
        assertFails("unknown parameter", ["etta"]) { _ = try ddim.sampler(spec: "ddim:etta=0.5") }
        assertFails("negative eta", ["eta"]) { _ = try ddim.sampler(spec: "ddim:eta=-1") }
        assertFails("bad spacing", ["timestep_spacing"]) { _ = try ddim.sampler(spec: "ddim:timestep_spacing=even") }
        assertFails("order 0", ["order"]) { _ = try lms.sampler(spec: "lms:order=0") }
        assertFails("order 9", ["order"]) { _ = try lms.sampler(spec: "lms:order=9") }
        let pndm = try SamplerParityTests.registry("pndm")
        assertFails("pndm sample prediction", ["prediction_type"]) {
            _ = try pndm.sampler(spec: "pndm:prediction_type=sample")
        }
    }

    func testPluginRejectsWhatTheHostWouldHave() throws {
        let ddim = try RawSamplerLibrary.load("DDIMSampler")
        let lms = try RawSamplerLibrary.load("LMSSampler")
        let pndm = try RawSamplerLibrary.load("PNDMSampler")
        let invalid = Int32(LDMP_ERR_INVALID_ARGUMENT.rawValue), unsupported = Int32(LDMP_ERR_UNSUPPORTED.rawValue)
        func expect(_ what: String, _ status: Int32, _ mention: String, _ body: () throws -> Void) {
            do {
                try body()
                XCTFail("\(what): expected an error")
            } catch let e as RawCallError {
                print("\(what) → \(e)")
                XCTAssertEqual(e.status, status, what)
                XCTAssertTrue(e.message.contains(mention), "\(what): '\(e.message)' should mention '\(mention)'")
            } catch {
                XCTFail("\(what): \(error)")
            }
        }
        expect("unknown name", invalid, "etta") { _ = try ddim.create(params: ["etta": "1"], config: nil) }
        expect("eta -1", invalid, "eta") { _ = try ddim.create(params: ["eta": "-1"], config: nil) }
        expect("spacing", invalid, "timestep_spacing") {
            _ = try ddim.create(params: ["timestep_spacing": "even"], config: nil)
        }
        expect("order 12", invalid, "order") { _ = try lms.create(params: ["order": "12"], config: nil) }
        expect("pndm sample", invalid, "prediction_type") {
            _ = try pndm.create(params: ["prediction_type": "sample"], config: nil)
        }
        expect("bad JSON", invalid, "JSON") { _ = try ddim.create(params: [:], config: "{\"beta_start\": ") }
        expect("wrong key type", invalid, "beta_end") {
            _ = try ddim.create(params: [:], config: "{\"beta_end\": \"0.012\"}")
        }
        expect("unknown schedule", invalid, "beta_schedule") {
            _ = try ddim.create(params: [:], config: "{\"beta_schedule\": \"sigmoid\"}")
        }
        expect("karras", unsupported, "use_karras_sigmas") {
            _ = try lms.create(params: [:], config: "{\"use_karras_sigmas\": true}")
        }
        expect("thresholding", unsupported, "thresholding") {
            _ = try ddim.create(params: [:], config: "{\"thresholding\": true}")
        }
        expect("trained_betas length", invalid, "trained_betas") {
            _ = try ddim.create(params: [:], config: "{\"trained_betas\": [0.1, 0.2], \"num_train_timesteps\": 1000}")
        }

        let s = try ddim.create(params: ["eta": "0.5"], config: nil)
        expect("step before set_timesteps", invalid, "set_timesteps") {
            _ = try s.step(0, modelOutput: zeros, sample: zeros, noise: zeros, shape: shape)
        }
        expect("too many steps", invalid, "num_inference_steps") { try s.setTimesteps(1001) }
        try s.setTimesteps(10)
        XCTAssertEqual(s.callCount, 10)
        XCTAssertTrue(s.needsNoise)
        expect("call out of range", invalid, "out of range") {
            _ = try s.step(10, modelOutput: zeros, sample: zeros, noise: zeros, shape: shape)
        }
        expect("missing noise", invalid, "noise") {
            _ = try s.step(0, modelOutput: zeros, sample: zeros, noise: nil, shape: shape)
        }
        expect("shape mismatch", invalid, "sample") {
            _ = try s.step(0, modelOutput: zeros, sample: [Float](repeating: 0, count: 8), noise: zeros,
                           shape: shape, sampleShape: [1, 2, 2, 2])
        }
        XCTAssertTrue(s.timestep(99).isNaN, "timestep past call_count")

        let l = try lms.create(params: [:], config: nil)
        try l.setTimesteps(15)
        expect("K-LMS out of order", invalid, "order") {
            _ = try l.step(3, modelOutput: zeros, sample: zeros, noise: nil, shape: shape)
        }
    }

    /// SD v1.4's config with no key for spacing: DDIM and PNDM plan leading steps, K-LMS linspace floats.
    func testDefaultsFollowEachScheduler() throws {
        let ddim = try RawSamplerLibrary.load("DDIMSampler").create(params: [:], config: nil)
        try ddim.setTimesteps(15)
        XCTAssertEqual((0..<15).map { ddim.timestep($0) },
                       [925, 859, 793, 727, 661, 595, 529, 463, 397, 331, 265, 199, 133, 67, 1])
        let pndm = try RawSamplerLibrary.load("PNDMSampler").create(params: [:], config: nil)
        try pndm.setTimesteps(15)
        XCTAssertEqual(pndm.callCount, 16)
        XCTAssertEqual((0..<4).map { pndm.timestep($0) }, [925, 859, 859, 793])
        let lms = try RawSamplerLibrary.load("LMSSampler").create(params: [:], config: nil)
        try lms.setTimesteps(15)
        XCTAssertEqual(lms.timestep(1), Double(Float(999.0 * 13.0 / 14.0)))
        XCTAssertEqual(Float(lms.initNoiseSigma), 14.614647, accuracy: 1e-5)
        XCTAssertFalse(lms.needsNoise)
    }
}

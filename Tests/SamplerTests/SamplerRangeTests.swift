// Sampler parameters and scheduler configs that would make the schedule NaN (issue 14) are refused up front, by the
// host's parameter binding and by the plugin itself, with a message naming the key and the valid range.
import Foundation
import PluginABI
import PluginHost
import XCTest

final class SamplerRangeTests: XCTestCase {
    /// `body` is refused with a one-line message mentioning every string of `mention`.
    private func assertFails(_ what: String, _ mention: [String], _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), what) { error in
            let m = String(describing: error)
            print("\(what) → \(m)")
            XCTAssertFalse(m.contains("\n"), m)
            for e in mention { XCTAssertTrue(m.contains(e), "\(what): '\(m)' should mention '\(e)'") }
        }
    }

    func testEtaAboveOneIsRefused() throws {
        let ddim = try SamplerParityTests.registry("ddim")
        assertFails("host: ddim:eta=2", ["eta"]) { _ = try ddim.sampler(spec: "ddim:eta=2") }
        assertFails("host: ddim:eta=1000", ["eta"]) { _ = try ddim.sampler(spec: "ddim:eta=1000") }
        XCTAssertNoThrow(try ddim.sampler(spec: "ddim:eta=1"))
        let raw = try RawSamplerLibrary.load("DDIMSampler")
        assertFails("plugin: eta 2", ["eta", "0…1"]) { _ = try raw.create(params: ["eta": "2"], config: nil) }
    }

    func testSchedulerConfigRanges() throws {
        let ddim = try RawSamplerLibrary.load("DDIMSampler")
        let lms = try RawSamplerLibrary.load("LMSSampler")
        let cases: [(String, String)] = [
            ("beta_end", "{\"beta_end\": 2}"), ("beta_start", "{\"beta_start\": -0.5}"),
            ("beta_end", "{\"beta_end\": -0.0001}"), ("num_train_timesteps", "{\"num_train_timesteps\": 100000000000}"),
            ("trained_betas", "{\"num_train_timesteps\": 2, \"trained_betas\": [0.1, 1.5]}"),
            ("steps_offset", "{\"steps_offset\": 5000}"), ("clip_sample_range", "{\"clip_sample_range\": 0}"),
        ]
        for (key, json) in cases {
            for lib in [ddim, lms] {
                assertFails("config \(json)", [key]) { _ = try lib.create(params: [:], config: json) }
            }
        }
        // SD v1.4's own config still loads.
        XCTAssertNoThrow(try ddim.create(params: [:], config: nil))
    }
}

// SamplerTests — SamplerSupport's shared math against torch/numpy/scipy, exactly where it can be exact:
// torch.linspace's float32 rounding, ᾱ = cumprod(1 − β) for every fixture config (bit for bit), the K-LMS
// coefficients (scipy.integrate.quad over diffusers' float32 integrand) and scheduler_config.json defaults.
import Foundation
import SamplerSupport
import XCTest

final class ScheduleMathTests: XCTestCase {
    struct LinspaceCase: Decodable {
        let start: Double, end: Double, count: Int
        let bits: [UInt32]
    }

    func testTorchLinspaceBitForBit() throws {
        let data = try Data(contentsOf: SchedulerFixture.folder.appendingPathComponent("linspace.json"))
        let cases = try JSONDecoder().decode([LinspaceCase].self, from: data)
        for c in cases {
            let mine = TorchFloat32.linspace(c.start, c.end, count: c.count).map(\.bitPattern)
            let wrong = zip(mine, c.bits).filter { $0 != $1 }.count
            print("linspace(\(c.start), \(c.end), \(c.count)): \(wrong) of \(c.count) differ from torch")
            XCTAssertEqual(mine, c.bits, "linspace(\(c.start), \(c.end), \(c.count))")
        }
    }

    func testAlphasCumprodBitForBit() throws {
        let fixture = try SchedulerFixture.load()
        let defaults: [String: SchedulerConfig] = ["ddim": .ddim, "pndm": .pndm, "lms": .lms]
        for c in fixture.cases {
            let config = try SchedulerConfig(json: c.config, defaults: defaults[c.scheduler]!, sampler: c.scheduler)
            let mine = try BetaSchedule(config: config, sampler: c.scheduler).alphasCumprod
            let ref = try SchedulerFixture.array(c.alphas_cumprod).values
            let wrong = zip(mine, ref).filter { $0.bitPattern != $1.bitPattern }.count
            var d = Diff()
            d.add(mine[...], ref[...])
            print("\(c.name): alphas_cumprod \(wrong) of \(ref.count) differ; \(d)")
            XCTAssertEqual(mine.count, ref.count, c.name)
            XCTAssertEqual(wrong, 0, "\(c.name): alphas_cumprod")
        }
    }

    func testLMSCoefficientsMatchScipyQuad() throws {
        let fixture = try SchedulerFixture.load()
        var worst = 0.0, exact = 0, total = 0
        for c in fixture.cases where c.scheduler == "lms" {
            let sigmas = try SchedulerFixture.array(try XCTUnwrap(c.sigmas)).values
            let order = Int(c.params["order"] ?? "4")!
            for (t, ref) in try XCTUnwrap(c.lms_coefficients).enumerated() {
                let k = min(t + 1, order)
                XCTAssertEqual(ref.count, k, "\(c.name) step \(t)")
                let scale = ref.map(abs).max()!
                for (cur, r) in ref.enumerated() {
                    let mine = LMSCoefficients.coefficient(sigmas: sigmas, order: k, t: t, current: cur)
                    let d = abs(mine - r) / scale
                    worst = worst.isNaN || d.isNaN ? .nan : max(worst, d)  // a NaN must fail, Swift.max drops it
                    exact += mine == r ? 1 : 0
                    total += 1
                }
            }
        }
        print("LMS coefficients: \(exact) of \(total) bit-identical to scipy quad; worst |Δ|/max|c| \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-9)
    }

    func testExactIntegralAgreesWithQuadrature() {
        let sigmas: [Float] = [14.6146, 11.2, 8.1, 5.9, 4.2, 0]
        for current in 0..<4 {
            let q = LMSCoefficients.coefficient(sigmas: sigmas, order: 4, t: 3, current: current)
            let e = LMSCoefficients.exact(sigmas: sigmas, order: 4, t: 3, current: current)
            XCTAssertEqual(q, e, accuracy: 1e-6 * max(1, abs(e)), "current \(current)")
        }
    }

    func testConfigDefaultsPerScheduler() throws {
        let sd14 = try SchedulerConfig(json: nil, defaults: .lms, sampler: "lms")
        XCTAssertEqual(sd14.timestepSpacing, "linspace")
        XCTAssertEqual(sd14.betaSchedule, "scaled_linear")
        XCTAssertEqual(sd14.stepsOffset, 1)
        XCTAssertEqual(sd14.predictionType, "epsilon")
        let ddim = try SchedulerConfig(json: nil, defaults: .ddim, sampler: "ddim")
        XCTAssertEqual(ddim.timestepSpacing, "leading")
        XCTAssertFalse(ddim.clipSample, "SD v1.4's file sets clip_sample false")
        XCTAssertFalse(ddim.setAlphaToOne)
        let empty = try SchedulerConfig(json: "{\"unknown_key\": [1, 2], \"trained_betas\": null}",
                                        defaults: .ddim, sampler: "ddim")
        XCTAssertTrue(empty.clipSample, "DDIM's own default")
        XCTAssertTrue(empty.setAlphaToOne)
        XCTAssertEqual(empty.betaSchedule, "linear")
        XCTAssertNil(empty.trainedBetas)
        let pndm = try SchedulerConfig(json: "{}", defaults: .pndm, sampler: "pndm")
        XCTAssertFalse(pndm.skipPrkSteps)
        XCTAssertFalse(pndm.setAlphaToOne)
        XCTAssertThrowsError(try SchedulerConfig(json: "[1]", defaults: .ddim, sampler: "ddim"))
        XCTAssertThrowsError(try SchedulerConfig(json: "{\"steps_offset\": 1.5}", defaults: .ddim, sampler: "ddim"))
    }

    func testNumpyRanges() {
        // np.round(np.arange(1000, 0, -1000/7)) - 1 and np.linspace(0, 999, 50).round()
        XCTAssertEqual(NumpyRanges.arange(1000, 0, step: -1000.0 / 7).map { Int(NumpyRanges.round($0)) - 1 },
                       [999, 856, 713, 570, 428, 285, 142])
        XCTAssertEqual(NumpyRanges.round(2.5), 2)
        XCTAssertEqual(NumpyRanges.round(937.5), 938)
        XCTAssertEqual(NumpyRanges.linspace(0, 999, count: 50).last, 999)
        XCTAssertEqual(NumpyRanges.interpUnitGrid(1.5, [0, 2, 4]), 3)
        XCTAssertEqual(NumpyRanges.interpUnitGrid(5, [0, 2, 4]), 4)
    }
}

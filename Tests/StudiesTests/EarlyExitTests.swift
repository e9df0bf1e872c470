// Early exit (issue #17) on tiny-sd (64×64, ddim, 5 steps): at K = the last call every policy is the full run
// exactly; stride 1 through the DDIM jump reproduces the sampler's own steps; the stride schedule visits the
// timesteps EarlyExitPolicy claims (SD v1.4's DDIM grid); PSNR and the perceptual distance are ∞ and 0 for
// identical images and sane on a known pair.
import FileFormats
import Foundation
import Pipeline
import Studies
import XCTest

final class EarlyExitTests: XCTestCase {
    static func model(steps: Int = 5) throws -> LoadedModel {
        var g = GenerationConfig(model: Fixtures.root.appendingPathComponent("tiny-sd").path)
        g.tokenizer = Fixtures.tokenizer
        g.steps = steps
        return try LoadedModel(g)
    }

    static let job = ImageJob.single(prompt: "a red cube on a floor", seed: 7)

    func testLastCallEqualsFullRunExactly() throws {
        let tmp = Fixtures.scratch("earlyexit")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let registry = try Plugins.registry()
        var config = EarlyExitConfig(after: [0, 1, 3, 5])
        config.strides = [2]
        config.vggWeights = "random:0/16"
        config.bootstrap = 20
        let study = try EarlyExitStudy(config, model: try Self.model(), sampler: try Plugins.sampler("ddim"),
                                       registry: registry)
        let rows = try study.run([Self.job], out: tmp) { _ in }
        XCTAssertEqual(rows.count, 7)   // stop at K = 1, 3, 5; stride2 at K = 0, 1, 3, 5
        let full = try PNGImage.read(tmp.appendingPathComponent("images/\(Self.job.id)/full.png"))
        for policy in ["stop", "stride2"] {
            let last = try XCTUnwrap(rows.first { $0.policy.name == policy && $0.after == 5 })
            let image = try PNGImage.read(tmp.appendingPathComponent("images/\(Self.job.id)/\(policy)_k05.png"))
            let d = Fixtures.maxdiff(full.bytes.map(Float.init), image.bytes.map(Float.init))
            print("early exit: \(policy) at K = 5 of 5 vs full run: maxdiff \(d), PSNR \(last.psnr), perceptual \(last.perceptual)")
            XCTAssertEqual(d, 0)
            XCTAssertEqual(last.psnr, .infinity)
            XCTAssertEqual(last.perceptual, 0)
            XCTAssertEqual(last.calls, 5)
        }
        let stop1 = try XCTUnwrap(rows.first { $0.policy == .stop && $0.after == 1 })
        let stride1 = try XCTUnwrap(rows.first { $0.policy == .stride(2) && $0.after == 1 })
        XCTAssertEqual([stop1.calls, stride1.calls], [1, 4])   // stride 2 after 1: calls 1, 3, then the last (4)
        XCTAssertTrue(stop1.psnr.isFinite && stop1.perceptual > 0, "stopping after 1 of 5 calls changed nothing")
        for name in ["early_exit.csv", "early_exit_means.csv", "quality_vs_compute.svg", "quality_vs_compute.png",
                     "psnr_vs_compute.png", "early_exit.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: tmp.appendingPathComponent(name).path), name)
        }
        let csv = try String(contentsOf: tmp.appendingPathComponent("early_exit.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 8)
        // Equal compute: stop at K = 3 (3 calls) against stride2 from K = 0 (calls 0, 2, 4).
        let stop3 = try XCTUnwrap(rows.first { $0.policy == .stop && $0.after == 3 })
        let base = try XCTUnwrap(rows.first { $0.policy == .stride(2) && $0.after == 0 })
        XCTAssertEqual([stop3.calls, base.calls], [3, 3])
        let paired = try String(contentsOf: tmp.appendingPathComponent("early_exit_paired.csv"), encoding: .utf8)
        let line = try XCTUnwrap(paired.split(separator: "\n").first { $0.hasPrefix("stop,3,3,stride2@K=0,perceptual,") })
        let value = try XCTUnwrap(Double(line.split(separator: ",")[5]))
        print("early exit: paired stop@3 − stride2@0 perceptual \(value), direct \(stop3.perceptual - base.perceptual)")
        XCTAssertEqual(value, stop3.perceptual - base.perceptual, accuracy: 1e-5 * max(1, abs(value)))
    }

    func testStrideOneReproducesTheSamplersSteps() throws {
        let loaded = try Self.model()
        let pipeline = try loaded.pipeline(try Plugins.sampler("ddim"))
        let full = try pipeline.generate(Self.job)
        let count = pipeline.latentShape.reduce(1, *), n = full.context.calls
        let continuation = StrideContinuation(pipeline: pipeline)
        let r = try continuation.run(from: Array(full.latents[count ..< 2 * count]),
                                     calls: EarlyExitPolicy.stride(1).callsAfter(1, callCount: n),
                                     states: try pipeline.conditioning(for: Self.job.prompt), image: Self.job.id)
        let reference = Array(full.latents[n * count ..< (n + 1) * count])
        let scale = reference.map(abs).max() ?? 1
        let d = Fixtures.maxdiff(r.latent, reference) / scale
        print("early exit: stride 1 (DDIM jumps) vs the sampler's own steps, calls 1…4: maxdiff \(d) relative")
        XCTAssertLessThan(d, 1e-5)
        XCTAssertEqual(r.timesteps, full.context.timesteps.suffix(n - 1).map { $0 })
    }

    func testStrideTimestepsOnTheDDIMGrid() throws {
        XCTAssertEqual(EarlyExitPolicy.stride(3).callsAfter(2, callCount: 15), [2, 5, 8, 11, 14])
        XCTAssertEqual(EarlyExitPolicy.stride(4).callsAfter(3, callCount: 15), [3, 7, 11, 14])
        XCTAssertEqual(EarlyExitPolicy.stride(2).callsAfter(14, callCount: 15), [14])
        XCTAssertEqual(EarlyExitPolicy.stride(2).callsAfter(15, callCount: 15), [])
        XCTAssertEqual(EarlyExitPolicy.stop.totalCalls(after: 3, callCount: 15), 3)
        XCTAssertEqual(EarlyExitPolicy.stride(3).totalCalls(after: 2, callCount: 15), 7)
        // SD v1.4's DDIM, 15 steps ("leading", steps_offset 1): t = 66·i + 1, i = 14 … 0.
        let pipeline = try Self.model(steps: 15).pipeline(try Plugins.sampler("ddim"))
        let plan = try pipeline.plan().timesteps
        XCTAssertEqual(plan, (0 ..< 15).reversed().map { Double(66 * $0 + 1) })
        let visited = EarlyExitPolicy.stride(3).callsAfter(2, callCount: 15).map { plan[$0] }
        print("early exit: stride 3 after 2 of 15 DDIM calls visits t = \(visited)")
        XCTAssertEqual(visited, [793, 595, 397, 199, 1])
    }

    func testPSNRAndPerceptualDistance() throws {
        let n = 64 * 64 * 3
        var state: UInt64 = 17   // a fixed LCG (Knuth's MMIX constants), so the printed values repeat run to run
        func next(_ range: UInt64) -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8((state >> 33) % range)
        }
        let base = (0 ..< n).map { _ in 20 + next(216) }
        let a = PNGImage(width: 64, height: 64, channels: 3, bytes: base)
        let b = PNGImage(width: 64, height: 64, channels: 3, bytes: base.map { $0 + 10 })
        let c = PNGImage(width: 64, height: 64, channels: 3, bytes: base.map { $0 &- 20 })
        let psnr = try PSNR.decibels(a, b)
        print("early exit: PSNR identical \(try PSNR.decibels(a, a)), +10 everywhere \(psnr) (expected 28.1308)")
        XCTAssertEqual(try PSNR.decibels(a, a), .infinity)
        XCTAssertEqual(psnr, 10 * log10(65025.0 / 100), accuracy: 1e-9)
        XCTAssertEqual(try PSNR.decibels(a, c), 10 * log10(65025.0 / 400), accuracy: 1e-9)
        XCTAssertThrowsError(try PSNR.decibels(a, PNGImage(width: 32, height: 64, channels: 3, bytes: Array(base.prefix(n / 2)))))

        let vgg = try PerceptualDistance(weights: "random:0/16")
        let fa = try vgg.features(a), fb = try vgg.features(b), fc = try vgg.features(c)
        let same = PerceptualDistance.distance(fa, fa)
        let ab = PerceptualDistance.distance(fa, fb), ba = PerceptualDistance.distance(fb, fa)
        let noise = PNGImage(width: 64, height: 64, channels: 3, bytes: (0 ..< n).map { _ in next(256) })
        let an = PerceptualDistance.distance(fa, try vgg.features(noise))
        print("early exit: perceptual identical \(same), +10 \(ab), −20 \(PerceptualDistance.distance(fa, fc)), unrelated noise \(an)")
        XCTAssertEqual(same, 0)
        XCTAssertEqual(ab, ba, accuracy: 1e-12)
        XCTAssertGreaterThan(ab, 0)
        XCTAssertLessThan(ab, an, "a brightness shift is farther than an unrelated image")
        XCTAssertLessThanOrEqual(an, 20, "5 layers, each at most 4")
        XCTAssertThrowsError(try vgg.features(PNGImage(width: 48, height: 48, channels: 3, bytes: [UInt8](repeating: 0, count: 48 * 48 * 3))))
    }

    func testRefusals() throws {
        let registry = try Plugins.registry()
        var config = EarlyExitConfig(after: [2])
        config.strides = [2]
        config.vggWeights = "random:0/16"
        for sampler in ["pndm", "lms"] {
            XCTAssertThrowsError(try EarlyExitStudy(config, model: try Self.model(), sampler: try Plugins.sampler(sampler),
                                                    registry: registry)) { error in
                print("early exit: --stride with \(sampler): \(error)")
                XCTAssertTrue("\(error)".contains("stateful"), "\(error)")
            }
        }
        config.strides = []
        config.after = [2, 7]
        let tmp = Fixtures.scratch("earlyexit-refuse")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let study = try EarlyExitStudy(config, model: try Self.model(), sampler: try Plugins.sampler("pndm"),
                                       registry: registry)
        XCTAssertThrowsError(try study.run([Self.job], out: tmp) { _ in }) { error in
            print("early exit: --after 7 with pndm's 6 calls: \(error)")   // PNDM: 5 steps = 6 calls
            XCTAssertTrue("\(error)".contains("0…6"), "\(error)")
        }
    }
}

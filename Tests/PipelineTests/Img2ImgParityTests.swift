// img2img end to end against diffusers' StableDiffusionImg2ImgPipeline on the tiny random model
// (Tests/Fixtures/img2img, made by tools/make_img2img_fixtures.py): the same init PNG, seed 42 (latent_dist.sample
// then the add_noise noise from one generator), 15 steps, guidance 7.5, for DDIM, PNDM and K-LMS at strengths
// 0.3, 0.6 and 0.9 — the latent after add_noise and after every call, three self-attention outputs and the image.
// Tolerances are the text → image parity tests' (README) for activations and images; latents see latentTolerance.
import FileFormats
import Foundation
import Pipeline
import XCTest

final class Img2ImgParityTests: XCTestCase {
    struct Summary: Decodable {
        let prompt: String, negative_prompt: String, seed: UInt64, steps: Int, guidance: Double, height: Int, width: Int
        let layers: [String]
        let runs: [String: Run]
        struct Run: Decodable { let strength: Double; let calls: Int; let timesteps: [Double] }
    }

    /// Latents, relative to their max: text → image's 1.6e-6 does not hold here because the start carries the
    /// encoder sample's difference from the pipeline's (next); measured 1.1e-6 … 4.1e-6, the loop adding ≤ 1e-6.
    static let latentTolerance: Float = 5e-6
    /// The encoder sample against the pipeline's: torch itself differs by 1.14e-5 relative between the
    /// channels-last image the pipeline encodes and a contiguous one (tools/make_img2img_fixtures.py).
    static let encodedTolerance: Float = 1.5e-5

    static func fixture(_ name: String) -> URL {
        Fixtures.root.appendingPathComponent("img2img").appendingPathComponent(name)
    }

    /// max |a − b| / max |b|; infinite when either side has a NaN or ∞ (so it can never pass silently).
    func relative(_ a: [Float], _ b: [Float]) -> (abs: Float, rel: Float) {
        guard a.count == b.count else { return (.infinity, .infinity) }
        var d: Float = 0, scale: Float = 0
        for i in 0 ..< a.count {
            guard a[i].isFinite, b[i].isFinite else { return (.infinity, .infinity) }
            d = max(d, abs(a[i] - b[i]))
            scale = max(scale, abs(b[i]))
        }
        return (d, d / max(scale, 1e-6))
    }

    func parity(_ name: String, sampler: String) throws {
        let s = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: Self.fixture("img2img.json")))
        let ref = try XCTUnwrap(s.runs[name], "img2img.json has no run \(name)")
        let model = try StableDiffusionModel(path: Fixtures.root.appendingPathComponent("tiny-sd").path,
                                             variant: .fp32, withEncoder: true)
        let settings = GenerationSettings(steps: s.steps, guidance: s.guidance, height: s.height, width: s.width,
                                          negativePrompt: s.negative_prompt, initImage: Self.fixture("init.png"),
                                          strength: ref.strength)
        let pipeline = try DiffusionPipeline(
            textEncoder: model.textEncoder, unet: model.unet, decoder: model.decoder,
            scalingFactor: model.scalingFactor, sampler: try Plugins.sampler(sampler),
            schedulerConfigJSON: model.schedulerConfigJSON, settings: settings, encoder: model.encoder)
        let dir = Fixtures.scratch("img2img-\(name)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = ImageJob.single(prompt: s.prompt, seed: s.seed)
        let run = try Fixtures.parityRun(pipeline, dir: dir, job: job, capture: s.layers, sampler: sampler, model: model)
        XCTAssertEqual(run.settings.calls, ref.calls)
        XCTAssertEqual(run.settings.timesteps.count, ref.timesteps.count)
        let tdiff = zip(run.settings.timesteps, ref.timesteps).map { abs($0 - $1) }.max() ?? .infinity
        print("img2img \(name) calls \(run.settings.calls) (diffusers \(ref.calls)), timesteps maxdiff \(tdiff)")
        XCTAssertLessThanOrEqual(tdiff, 1e-4)
        try run.execute(ldmprobeVersion: "test", pluginAbi: "1.0")
        let folder = RunFolder(dir)

        // The encoder's scaled sample (before add_noise), from the same generator: against torch on a contiguous
        // image, and (printed) against the pipeline's, whose channels-last input torch rounds differently.
        var g = TorchGenerator(seed: s.seed)
        let z = try Img2ImgStart(url: Self.fixture("init.png"), height: s.height, width: s.width)
            .encodedSample(encoder: try XCTUnwrap(model.encoder), scalingFactor: model.scalingFactor, generator: &g,
                           latentShape: [1, 4, s.height / 8, s.width / 8])
        let zc = relative(z, try NpyArray.read(Self.fixture("encoded_contiguous.npy")).floats())
        let zp = relative(z, try NpyArray.read(Self.fixture("\(name)_encoded.npy")).floats())
        print("img2img \(name) encoded sample maxdiff \(zc.abs) (rel \(zc.rel)) vs torch NCHW; \(zp.abs) (rel \(zp.rel)) vs the pipeline's")
        XCTAssertLessThanOrEqual(zc.rel, 1.6e-6)
        XCTAssertLessThanOrEqual(zp.rel, Self.encodedTolerance)

        // The noised start and the latents after every call.
        let lat = try NpyArray.read(folder.latentsURL(job.id))
        let refLat = try NpyArray.read(Self.fixture("\(name)_latents.npy"))
        XCTAssertEqual(lat.shape, refLat.shape)
        let mine = lat.floats(), theirs = refLat.floats()
        let per = theirs.count / (ref.calls + 1)
        let start = relative(Array(mine.prefix(per)), Array(theirs.prefix(per)))
        let all = relative(mine, theirs)
        print("img2img \(name) start latent maxdiff \(start.abs) (rel \(start.rel)); all latents maxdiff \(all.abs) (rel \(all.rel))")
        XCTAssertLessThanOrEqual(start.rel, Self.latentTolerance)
        XCTAssertLessThanOrEqual(all.rel, Self.latentTolerance)

        // The captured self-attention outputs (conditional branch), every call.
        var worst: Float = 0
        for path in s.layers {
            let a = try NpyArray.read(folder.activationURL(job.id, layer: path))
            let b = try NpyArray.read(Self.fixture("\(name)_act_\(path).npy"))
            XCTAssertEqual(a.shape, b.shape, path)
            let d = relative(a.floats(), b.floats())
            worst = max(worst, d.rel.isNaN ? .infinity : d.rel)
            XCTAssertLessThanOrEqual(d.rel, 1.5e-5, path)
        }
        print("img2img \(name) activations (\(s.layers.count) layers) worst rel maxdiff \(worst)")

        // The image within 1/255.
        let img = try PNGImage.read(folder.imageURL(job.id))
        let refImg = try NpyArray.read(Self.fixture("\(name)_image.npy"))
        XCTAssertEqual([img.height, img.width, img.channels], refImg.shape)
        let id = relative(img.bytes.map { Float($0) }, refImg.uint8s().map { Float($0) }).abs
        print("img2img \(name) image maxdiff \(id)/255")
        XCTAssertLessThanOrEqual(id, 1)
    }

    func testDDIMStrength06MatchesDiffusers() throws { try parity("ddim_s60", sampler: "ddim") }
    func testPNDMStrength06MatchesDiffusers() throws { try parity("pndm_s60", sampler: "pndm") }
    func testPNDMStrength03MatchesDiffusers() throws { try parity("pndm_s30", sampler: "pndm") }
    func testKLMSStrength06MatchesDiffusers() throws { try parity("lms_s60", sampler: "lms") }
    func testKLMSStrength09MatchesDiffusers() throws { try parity("lms_s90", sampler: "lms") }

    func testStrengthThatKeepsNoStepIsAnError() throws {
        let settings = GenerationSettings(steps: 15, initImage: Self.fixture("init.png"), strength: 0.05)
        XCTAssertThrowsError(try settings.validate()) { e in
            print("img2img strength 0.05 error: \(e)")
            XCTAssertTrue("\(e)".contains("--strength"))
        }
    }

    func testBeginCallOutOfRangeIsAnError() throws {
        let s = try Plugins.sampler("pndm").instantiate()
        try s.setTimesteps(15)
        XCTAssertThrowsError(try s.setBeginCall(16)) { print("img2img pndm begin call 16 of 16: \($0)") }
        try s.setBeginCall(6)
        let x = [Float](repeating: 1, count: 4), eps = [Float](repeating: 0, count: 4)
        // The first step after the begin call is call 6; call 0 is out of order.
        XCTAssertThrowsError(try s.step(call: 0, modelOutput: eps, sample: x, shape: [1, 4, 1, 1])) {
            print("img2img pndm step 0 after begin call 6: \($0)")
        }
        XCTAssertNoThrow(try s.step(call: 6, modelOutput: eps, sample: x, shape: [1, 4, 1, 1]))
    }

    func testDiffusersStartStep() {
        // get_timesteps: t_start = steps − min(int(steps · strength), steps).
        XCTAssertEqual(Img2ImgStart.beginStep(steps: 15, strength: 0.6), 6)
        XCTAssertEqual(Img2ImgStart.beginStep(steps: 15, strength: 0.3), 11)
        XCTAssertEqual(Img2ImgStart.beginStep(steps: 15, strength: 1.0), 0)
        XCTAssertEqual(Img2ImgStart.beginStep(steps: 50, strength: 0.75), 13)
    }
}

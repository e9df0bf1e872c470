// End to end against diffusers' StableDiffusionPipeline on the tiny random model (Tests/Fixtures/pipeline, made by
// tools/make_pipeline_fixtures.py): same initial noise, 15 steps, guidance 7.5, 64×64, for K-LMS, DDIM and PNDM —
// the latents after every call, every self-attention activation, the predicted x0 and the decoded image, each
// within the tolerance README states (latents ≤ 1.6e-6 relative, activations ≤ 1.5e-5 relative, image ≤ 1/255).
import FileFormats
import Foundation
import Pipeline
import Tensor
import XCTest

final class PipelineParityTests: XCTestCase {
    struct Summary: Decodable {
        let prompt: String, negative_prompt: String, seed: UInt64, steps: Int, guidance: Double, height: Int, width: Int
        let runs: [String: Run]
        struct Run: Decodable {
            let calls: Int, timesteps: [Double], init_noise_sigma: Double
            let layers: [Layer]?
            let activation_branches: String?
        }
        struct Layer: Decodable { let path: String; let shape: [Int] }
    }

    /// pipeline.json; a missing or unreadable fixture fails the test (remake it: see Fixtures/pipeline/FIXTURE.md).
    static func summary() throws -> Summary {
        try JSONDecoder().decode(Summary.self, from: Data(contentsOf: Fixtures.pipeline("pipeline.json")))
    }

    /// README's tolerances (relative to max |reference|, and in 8-bit levels for the image); the CLIP states use
    /// README's CLIP row. README states none for the predicted x0, which divides by √ᾱ and so amplifies the
    /// latents' difference: measured 3.8e-6 (DDIM) and 3.0e-6 (K-LMS) relative, checked at 5e-6.
    static let latentTolerance: Float = 1.6e-6, activationTolerance: Float = 1.5e-5, imageTolerance: Float = 1
    static let textStateTolerance: Float = 8e-7, x0Tolerance: Float = 5e-6

    func tokenizerFolder() -> String {
        let own = Fixtures.root.appendingPathComponent("tiny-sd/tokenizer")
        if FileManager.default.fileExists(atPath: own.appendingPathComponent("vocab.json").path) { return own.path }
        return Fixtures.root.appendingPathComponent("clip-tokenizer").path
    }

    /// Observes the sampler's predicted x0 per call.
    final class X0Recorder: StepObserver {
        var x0: [Float] = []
        func stepDidFinish(_ step: StepEvent) throws { x0 += step.predictedOriginal ?? [] }
    }

    /// max |a − b| relative to max |b|; NaN anywhere gives NaN (Fixtures.maxdiff), which fails every `≤`.
    func relative(_ a: [Float], _ b: [Float]) -> (abs: Float, rel: Float) {
        let d = Fixtures.maxdiff(a, b)
        let scale = Fixtures.maxdiff(b, [Float](repeating: 0, count: b.count))
        return (d, d / max(scale, 1e-6))
    }

    func parity(_ name: String, sampler: String, variant: StableDiffusionModel.Variant = .fp32,
                branches: BranchSelection = .cond, checkActivations: Bool = true) throws {
        let s = try Self.summary()
        let ref = try XCTUnwrap(s.runs[name], "Fixtures/pipeline/pipeline.json has no run '\(name)' "
            + "(remake it: see Fixtures/pipeline/FIXTURE.md)")
        let samplerPlugin = try Plugins.sampler(sampler)
        let model = try StableDiffusionModel(path: Fixtures.root.appendingPathComponent("tiny-sd").path,
                                             variant: variant, tokenizerFolder: tokenizerFolder())
        // Text states first: the prompt and the empty negative prompt through tokenizer + CLIP (every fp32 run).
        if variant == .fp32 {
            let states = try NpyArray.read(Fixtures.pipeline("\(name)_text_states.npy"))
            let mine = try model.textEncoder.encode([s.negative_prompt, s.prompt])
            let d = relative(mine.data, states.floats())
            print("parity \(name) text states maxdiff \(d.abs) (rel \(d.rel))")
            XCTAssertLessThanOrEqual(d.rel, Self.textStateTolerance)
        }
        let pipeline = try DiffusionPipeline(
            textEncoder: model.textEncoder, unet: model.unet, decoder: model.decoder,
            scalingFactor: model.scalingFactor, sampler: samplerPlugin, schedulerConfigJSON: model.schedulerConfigJSON,
            settings: GenerationSettings(steps: s.steps, guidance: s.guidance, height: s.height, width: s.width,
                                         negativePrompt: s.negative_prompt))
        let dir = Fixtures.scratch("parity-\(name)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = ImageJob.single(prompt: s.prompt, noiseFile: Fixtures.pipeline("noise.npy").path)
        let run = try Fixtures.parityRun(pipeline, dir: dir, job: job, capture: checkActivations ? nil : [],
                                         branches: branches, sampler: sampler, model: model)
        XCTAssertEqual(run.settings.calls, ref.calls)
        XCTAssertEqual(run.settings.timesteps.count, ref.timesteps.count)
        let tdiff = Tensor.maxAbsDiff(run.settings.timesteps, ref.timesteps)
        print("parity \(name) timesteps maxdiff \(tdiff), init_noise_sigma \(run.settings.initNoiseSigma) vs \(ref.init_noise_sigma)")
        XCTAssertLessThan(tdiff, 1e-3)
        let recorder = X0Recorder()
        try run.execute(ldmprobeVersion: "test", pluginAbi: "1.0", observers: [recorder])
        let folder = RunFolder(dir)

        // Latents at every call.
        let lat = try NpyArray.read(folder.latentsURL(job.id))
        let refLat = try NpyArray.read(Fixtures.pipeline("\(name)_latents.npy"))
        XCTAssertEqual(lat.shape, refLat.shape)
        let ld = relative(lat.floats(), refLat.floats())
        let u = ref.calls, per = lat.count / (u + 1)
        let perStep = (0 ... u).map { k in
            Fixtures.maxdiff(Array(lat.floats()[k * per ..< (k + 1) * per]), Array(refLat.floats()[k * per ..< (k + 1) * per]))
        }
        print("parity \(name) latents maxdiff \(ld.abs) (rel \(ld.rel)); per call \(perStep.map { String(format: "%.2e", $0) })")
        XCTAssertLessThanOrEqual(ld.rel, Self.latentTolerance)

        // Predicted x0 where diffusers' scheduler returns one (DDIM, K-LMS; the fixture keeps it for fp32 runs).
        if variant == .fp32 && sampler != "pndm" {
            let refX0 = try NpyArray.read(Fixtures.pipeline("\(name)_x0.npy"))
            XCTAssertEqual(recorder.x0.count, refX0.count, "\(name): predicted x0 values")
            let xd = relative(recorder.x0, refX0.floats())
            print("parity \(name) predicted x0 maxdiff \(xd.abs) (rel \(xd.rel))")
            XCTAssertLessThanOrEqual(xd.rel, Self.x0Tolerance)
        }

        // Every captured self-attention activation.
        if checkActivations, let layers = ref.layers {
            XCTAssertEqual(Set(run.capture.paths), Set(layers.map(\.path)))  // ours in execution order, theirs in module order
            var worst: (Float, String) = (0, "")  // NaN-sticky: a NaN layer stays the worst
            for layer in layers {
                let mine = try NpyArray.read(folder.activationURL(job.id, layer: layer.path))
                let theirs = try NpyArray.read(Fixtures.pipeline("\(name)_act_\(layer.path).npy"))
                XCTAssertEqual(mine.shape, theirs.shape, layer.path)
                guard mine.shape == theirs.shape else { continue }
                let d = relative(mine.floats(), theirs.floats())
                if !worst.0.isNaN && (d.rel.isNaN || d.rel >= worst.0) { worst = (d.rel, "\(layer.path) abs \(d.abs)") }
                XCTAssertLessThanOrEqual(d.rel, Self.activationTolerance, layer.path)
            }
            print("parity \(name) activations (\(layers.count) layers, \(branches.rawValue)) worst rel maxdiff \(worst.0) at \(worst.1)")
        }

        // The decoded image within 1/255.
        let img = try PNGImage.read(folder.imageURL(job.id))
        let refImg = try NpyArray.read(Fixtures.pipeline("\(name)_image.npy"))
        XCTAssertEqual([img.height, img.width, img.channels], refImg.shape)
        let id = Fixtures.maxdiff(img.bytes.map { Float($0) }, refImg.uint8s().map { Float($0) })
        print("parity \(name) image maxdiff \(Int(id))/255")
        XCTAssertLessThanOrEqual(id, Self.imageTolerance)
    }

    func testKLMSMatchesDiffusers() throws { try parity("lms", sampler: "lms", branches: .both) }
    func testDDIMMatchesDiffusers() throws { try parity("ddim", sampler: "ddim") }
    func testPNDMMatchesDiffusers() throws { try parity("pndm", sampler: "pndm") }
    func testKLMSWithFP16WeightFilesMatchesDiffusers() throws {
        try parity("lms_fp16w", sampler: "lms", variant: .fp16, checkActivations: false)
    }

    func testFloat16ActivationsAreTheRoundedFloat32Ones() throws {
        // The f16 store is the f32 store rounded to nearest even: check on the mock pipeline.
        let dir32 = Fixtures.scratch("f32"), dir16 = Fixtures.scratch("f16")
        defer { try? FileManager.default.removeItem(at: dir32); try? FileManager.default.removeItem(at: dir16) }
        let job = ImageJob.single(prompt: "x", seed: 1)
        let (r32, _) = try mockRun(folder: dir32, jobs: [job])
        try r32.execute(ldmprobeVersion: "t", pluginAbi: "1.0")
        let (r16, _) = try mockRun(folder: dir16, jobs: [job], activationDType: .float16)
        try r16.execute(ldmprobeVersion: "t", pluginAbi: "1.0")
        XCTAssertEqual(r16.capture.paths, r32.capture.paths)
        XCTAssertFalse(r32.capture.paths.isEmpty)
        for layer in r32.capture.paths {
            let s32 = try NpyArray.read(RunFolder(dir32).activationURL(job.id, layer: layer))
            let s16 = try NpyArray.read(RunFolder(dir16).activationURL(job.id, layer: layer))
            XCTAssertEqual(s32.dtype, .float32, layer)
            XCTAssertEqual(s16.dtype, .float16, "\(layer): the store must hold float16 on disk")
            XCTAssertEqual(s16.shape, s32.shape, layer)
            // Bit for bit: each stored half is the f32 value rounded to nearest even.
            let want = s32.floats().map { Float(Float16($0)) }, got = s16.floats()
            let d = Fixtures.maxdiff(got, want)
            print("f16 store \(layer): \(got.count) values, maxdiff vs rounded f32 \(d)")
            XCTAssertEqual(d, 0, layer)
            XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), layer)
        }
    }
}

// `ldmprobe generate`: reproducible text-to-image runs with per-step latents, decoded intermediates and activation
// capture, written to a run folder (docs/run-folder.md). Matches diffusers' StableDiffusionPipeline given the same
// initial noise. Default sampler K-LMS, 15 steps, guidance 7.5, 512×512: the probing studies' settings (SD v1.4's
// own default scheduler is PNDM: pass --sampler pndm for it).
import ArgumentParser
import FileFormats
import Foundation
import Pipeline
import PluginABI
import PluginHost

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate images and record latents, intermediates and UNet activations into a run folder.",
        discussion: """
            One image:   ldmprobe generate --model sd-v1-4 --prompt "a lemon" --seed 3 --out runs/lemon
            A dataset:   ldmprobe generate --model sd-v1-4 --prompts train.csv --shard 2/8 --resume --out runs/s2
            Image ids: prompt_<prompt_ind>_seed_<seed> (prompt_0_seed_<seed> for --prompt, prompt_0_noise with
            --init-noise). Activations default to every self-attention output (--capture '*attn1'), conditional
            branch, float16: activations/<id>/<layer>.npy of shape [U, C, h, w].
            """)

    @Option(help: "Model: a diffusers folder (unet/, vae/, text_encoder/, tokenizer/, scheduler/) or a single-file SD v1 checkpoint (.ckpt/.safetensors, with --tokenizer).")
    var model: String

    @Option(help: "Which stored weights to read: auto (fp32, else fp16), fp32, or fp16 (where present).")
    var weightsVariant: StableDiffusionModel.Variant = .auto

    @Option(help: "Tokenizer folder (vocab.json, merges.txt) when the model has no tokenizer/.")
    var tokenizer: String?

    @Option(help: "One prompt (image id prompt_0_seed_<seed>).")
    var prompt: String?

    @Option(help: "Seed for torch.manual_seed(seed); torch.randn([1, 4, h, w]) on the CPU (with --prompt; default 0).")
    var seed: UInt64?

    @Option(help: "Initial noise .npy: unscaled standard normal float32 [1, 4, h, w] (with --prompt).")
    var initNoise: String?

    @Option(help: "Dataset CSV with columns prompts, seeds, prompt_inds (UTF-8, or ISO-8859-1 as fallback).")
    var prompts: String?

    @Option(help: "The unconditional prompt for classifier-free guidance.")
    var negativePrompt: String = ""

    @Option(help: "Sampler plugin: a name (lms, ddim, pndm) or a library path, with optional :key=value,… settings.")
    var sampler: String = "lms"

    @Option(help: "Inference steps (PNDM makes steps + 1 UNet calls).")
    var steps: Int = 15

    @Option(help: "Classifier-free guidance scale (≤ 1: no unconditional branch).")
    var guidance: Double = 7.5

    @Option(help: "Image height in pixels (multiple of 8).")
    var height: Int = 512

    @Option(help: "Image width in pixels (multiple of 8).")
    var width: Int = 512

    @Option(help: "img2img: start from this PNG (width × height, RGB or grey), encoded by the VAE and noised.")
    var initImage: String?

    @Option(help: "img2img: fraction of the schedule to run from the noised --init-image, in (0, 1].")
    var strength: Double = 0.8

    @Option(name: .customLong("capture"),
            help: ArgumentHelp("Capture a module's output: a diffusers module path or a glob ('*attn1', 'up_blocks.3.*'); "
                               + "repeatable; 'none' for no activations. Default: every self-attention output.",
                               valueName: "pattern"))
    var capture: [String] = []

    @Option(help: "Which CFG branch to store: cond, uncond or both ([U, 2, C, h, w], uncond first).")
    var captureBranch: BranchSelection = .cond

    @Option(help: "Stored activation precision: f16 or f32.")
    var activationDtype: ActivationDType = .f16

    @Flag(help: "Write latents/<id>.npy: float32 [U+1, 4, h, w], the initial latent then x after each call.")
    var saveLatents = false

    @Option(help: "Decode and save per-step images: xt (current latent), x0 (predicted x0) or both.")
    var saveIntermediates: IntermediateKind?

    @Option(help: "Run only the K-th (1-based) of N contiguous parts of --prompts, e.g. 3/8.")
    var shard: String?

    @Flag(help: "Continue a run folder: skip images marked done, redo the rest.")
    var resume = false

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    @Option(help: "Run folder to write.")
    var out: String

    @Option(help: "Control run (the studies'): permute every UNet weight tensor's elements with this seed.")
    var permuteWeights: UInt64?

    @OptionGroup var plugins: PluginOptions

    enum ActivationDType: String, ExpressibleByArgument { case f16, f32 }
    enum IntermediateKind: String, ExpressibleByArgument { case xt, x0, both }

    func validate() throws {
        if (prompt == nil) == (prompts == nil) { throw ValidationError("give exactly one of --prompt and --prompts") }
        if prompts != nil && (seed != nil || initNoise != nil) {
            throw ValidationError("--seed and --init-noise go with --prompt; --prompts rows carry their own seeds")
        }
        if seed != nil && initNoise != nil { throw ValidationError("give --seed or --init-noise, not both") }
        if shard != nil && prompts == nil { throw ValidationError("--shard splits a --prompts file") }
        if let shard { _ = try ShardSpec(parsing: shard) }
    }

    func run() throws {
        let progress = ProgressReporter(totalImages: 0, enabled: !quiet)
        // Images first: a bad CSV fails before any model is loaded.
        var jobs: [ImageJob]
        if let prompts {
            jobs = try PromptRow.read(URL(fileURLWithPath: prompts)).map(ImageJob.init(row:))
        } else if let initNoise {
            jobs = [.single(prompt: prompt!, noiseFile: URL(fileURLWithPath: initNoise).standardizedFileURL.path)]
        } else {
            jobs = [.single(prompt: prompt!, seed: seed ?? 0)]
        }

        let registry = try plugins.registry()
        let samplerPlugin = try registry.sampler(spec: sampler)
        progress.note("loading \(model)")
        let sd = try StableDiffusionModel(path: model, variant: weightsVariant, tokenizerFolder: tokenizer,
                                          permuteUNetSeed: permuteWeights, withEncoder: initImage != nil)
        let hash = try ModelFingerprint.hash(files: sd.weightFiles, root: sd.path)
        let settings = GenerationSettings(steps: steps, guidance: guidance, height: height, width: width,
                                          negativePrompt: negativePrompt,
                                          initImage: initImage.map { URL(fileURLWithPath: $0) }, strength: strength)
        let pipeline = try DiffusionPipeline(textEncoder: sd.textEncoder, unet: sd.unet, decoder: sd.decoder,
                                             scalingFactor: sd.scalingFactor, sampler: samplerPlugin,
                                             schedulerConfigJSON: sd.schedulerConfigJSON, settings: settings,
                                             encoder: sd.encoder)
        var options = RunOptions(jobs: jobs)
        options.shard = try shard.map(ShardSpec.init(parsing:)) ?? .all
        options.capturePatterns = capture.isEmpty ? nil : (capture == ["none"] ? [] : capture)
        options.branches = captureBranch
        options.activationDType = activationDtype == .f16 ? .float16 : .float32
        options.saveLatents = saveLatents
        options.saveIntermediates = saveIntermediates?.rawValue ?? "none"
        options.resume = resume
        options.promptsFile = prompts.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let params = Dictionary(samplerPlugin.parameters.values.map { ($0.name, $0.stringValue) },
                                uniquingKeysWith: { a, _ in a })
        let run = try GenerationRun(
            pipeline: pipeline, folder: RunFolder(URL(fileURLWithPath: out)), options: options,
            model: .init(path: sd.path, weightsHash: hash.combined, files: hash.files,
                         unetPermutationSeed: permuteWeights),
            samplerName: samplerPlugin.info.name, samplerVersion: samplerPlugin.info.version,
            samplerParameters: params, vaeScalingFactor: Double(sd.scalingFactor))
        let reporter = ProgressReporter(totalImages: run.jobs.count, enabled: !quiet)
        let manifest = try run.execute(ldmprobeVersion: LDMProbeVersion.string,
                                       pluginAbi: "\(LDMP_ABI_VERSION_MAJOR).\(LDMP_ABI_VERSION_MINOR)",
                                       progress: reporter)
        let done = manifest.images.filter { $0.status == .done }.count
        print("\(done)/\(manifest.images.count) images done in \(out)")
    }
}

extension BranchSelection: ExpressibleByArgument {}
extension StableDiffusionModel.Variant: ExpressibleByArgument {}

// `ldmprobe generate`: reproducible text-to-image runs with per-step latents, decoded intermediates and activation
// capture, written to a run folder (docs/run-folder.md). Matches diffusers' StableDiffusionPipeline given the same
// initial noise. Default sampler K-LMS, 15 steps, guidance 7.5, the model's size (SD v1.4: 512×512): the studies' (SD v1.4's
// own default scheduler is PNDM: pass --sampler pndm for it).
import ArgumentParser
import FileFormats
import Foundation
import Pipeline
import Studies
import PluginHost

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate images and record latents, intermediates and UNet activations into a run folder.",
        discussion: """
            Image ids: prompt_<prompt_ind>_seed_<seed> (prompt_0_seed_<seed> for --prompt, prompt_0_noise with \
            --init-noise). Activations default to every self-attention output (--capture '*attn1'), conditional \
            branch, float16: activations/<id>/<layer>.npy of shape [U, C, h, w]. Examples:

              ldmprobe generate --model sd-v1-4 --prompt "a lemon" --seed 3 \\
                  --out runs/lemon
              ldmprobe generate --model sd-v1-4 --prompts train.csv \\
                  --shard 2/8 --resume --out runs/s2
            """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var images: PromptOptions
    @OptionGroup var sampling: SamplingOptions

    @Option(help: "Initial noise .npy: unscaled standard normal float32 [1, 4, h, w] (with --prompt).")
    var initNoise: String?

    @Option(help: "Sampler plugin: a name (lms, ddim, pndm) or a library path, with optional :key=value,… settings.")
    var sampler: String = "lms"

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

    @OptionGroup var output: OutputOptions

    @Option(help: "Control run (the studies'): permute every UNet weight tensor's elements with this seed.")
    var permuteWeights: UInt64?

    @OptionGroup var plugins: PluginOptions

    enum ActivationDType: String, ExpressibleByArgument { case f16, f32 }
    enum IntermediateKind: String, ExpressibleByArgument { case xt, x0, both }

    func validate() throws {
        guard model.model != nil else { throw ValidationError("give --model") }
        if (images.prompt == nil) == (images.prompts == nil) { throw ValidationError("give exactly one of --prompt and --prompts") }
        if images.prompts != nil && initNoise != nil {
            throw ValidationError("--init-noise goes with --prompt; --prompts rows carry their own seeds")
        }
        if images.seed != nil && initNoise != nil { throw ValidationError("give --seed or --init-noise, not both") }
        if shard != nil && images.prompts == nil { throw ValidationError("--shard splits a --prompts file") }
        if let shard { _ = try ShardSpec(parsing: shard) }
    }

    func run() throws {
        // Images first: a bad CSV fails before any model is loaded.
        let jobs = try initNoise.map {
            [ImageJob.single(prompt: images.prompt ?? "", noiseFile: URL(fileURLWithPath: $0).standardizedFileURL.path)]
        } ?? images.jobs()
        let registry = try plugins.registry()
        let samplerPlugin = try registry.sampler(spec: sampler)
        let progress = Progress(enabled: !output.quiet, prefix: "generate")
        progress.line("loading \(model.model ?? "")")
        var config = sampling.config(model, modelPath: model.model ?? "")
        config.permuteUNetSeed = permuteWeights
        let loaded = try LoadedModel(config)
        let out = try output.prepare()
        var options = RunOptions(jobs: jobs)
        options.shard = try shard.map(ShardSpec.init(parsing:)) ?? .all
        options.capturePatterns = capture.isEmpty ? nil : (capture == ["none"] ? [] : LayerPatterns.split(capture))
        options.branches = captureBranch
        options.activationDType = activationDtype == .f16 ? .float16 : .float32
        options.saveLatents = saveLatents
        options.saveIntermediates = saveIntermediates?.rawValue ?? "none"
        options.resume = output.resume
        options.promptsFile = images.promptsFile
        let run = try loaded.run(try loaded.pipeline(samplerPlugin), sampler: samplerPlugin, folder: RunFolder(out),
                                 options: options)
        let reporter = ProgressReporter(totalImages: run.jobs.count, enabled: !output.quiet)
        let manifest = try run.execute(ldmprobeVersion: LDMProbeVersion.string, pluginAbi: LDMProbeVersion.pluginABI,
                                       progress: reporter)
        reporter.close()
        let done = manifest.images.filter { $0.status == .done }.count
        progress.summary("\(done)/\(manifest.images.count) images done in \(out.path) (\(manifest.settings.calls) UNet "
                         + "calls each, \(loaded.settings.height)×\(loaded.settings.width))")
    }
}

extension BranchSelection: ExpressibleByArgument {}

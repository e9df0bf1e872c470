// `ldmprobe early-exit` (issue #17): how much of the denoising can be skipped once the layout is decided? Runs
// each prompt and seed with the full schedule and with schedules that change after K calls, and compares the
// final images. Engine: Studies.EarlyExitStudy (policies: EarlyExitPolicy, outputs: EarlyExitReport).
import ArgumentParser
import FileFormats
import Foundation
import Studies

struct EarlyExitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "early-exit",
        abstract: "Compare full runs with runs that stop or take larger steps after K UNet calls.",
        discussion: """
            For every K in --after (UNet calls of the full schedule made first) and every policy — stop: decode \
            the x̂0 predicted at call K−1; strideS (--stride): continue at calls K, K+S, … and the last call, with \
            DDIM updates between those timesteps (memoryless deterministic samplers only: ddim with eta 0; pndm and \
            lms are refused for --stride, their stop policy works) — the final image is compared with the full \
            run's: perceptual distance (VGG-16 features, unit-normalised, no learned weights; --vgg-weights), PSNR, \
            the --classifier's top-1 agreement, and the --label labelers' foreground Dice / depth Spearman between \
            the two images. Writes early_exit.csv, early_exit_means.csv (bootstrap 95 % intervals), \
            quality_vs_compute.{svg,png}, psnr_vs_compute.{svg,png}, early_exit.html and images/<id>/*.png.

              ldmprobe early-exit --demo --out runs/demo/early-exit

              ldmprobe early-exit --model sd-v1-4 --sampler ddim \\
                  --prompts prompts.csv --count 16 --after 2,3,5,8 \\
                  --stride 2,3 --vgg-weights vgg16.safetensors \\
                  --classifier vgg16:weights=vgg16.safetensors --out ee

            --demo: Assets/demo's model, 64×64, its first 32 world prompts, ddim, --after 0,1,2,3,5,8,12, --stride 2,3, \
            classifier world-objects, labels foreground=world-foreground and depth=world-depth, random VGG-16 \
            weights (random:0), bootstrap 200.
            """)

    @Flag(help: "Use the embedded demo preset (see above).") var demo = false
    @OptionGroup var model: ModelOptions
    @OptionGroup var images: PromptOptions
    @OptionGroup var sampling: SamplingOptions
    @Option(help: ArgumentHelp("Sampler plugin spec (default ddim).", valueName: "spec")) var sampler = "ddim"
    @Option(help: ArgumentHelp("UNet calls K after which the schedule changes, e.g. 2,3,5,8; 0 = stride from the start, the fewer-steps baseline (default 0,1,2,3,5,8,12).",
                               valueName: "list"))
    var after: String?
    @Option(help: ArgumentHelp("Stride policies S, e.g. 2,3 (default 2,3 with ddim, none otherwise).", valueName: "list"))
    var stride: String?
    @Flag(help: "Leave out the stop-and-decode-x̂0 policy.") var noStop = false
    @Option(help: ArgumentHelp("Perceptual distance weights: a torchvision VGG-16 .safetensors/.pth, or "
                               + "random:SEED[/DIV] (default random:0).", valueName: "file"))
    var vggWeights = "random:0"
    @Option(help: ArgumentHelp("Classifier for top-1 agreement ('none' for none).", valueName: "spec"))
    var classifier: String?
    @Option(help: ArgumentHelp("Labeler agreement: foreground=SPEC (Dice) or depth=SPEC (Spearman); repeatable.",
                               valueName: "name=spec"))
    var label: [String] = []
    @Option(help: "Bootstrap resamples for the means' 95 % intervals.") var bootstrap: Int?
    @Flag(help: "Do not save the compared images.") var noImages = false
    @OptionGroup var output: OutputOptions
    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        try DemoPreset.validate(demo: demo, model: model, images: images)
        if let bootstrap, bootstrap < 0 { throw ValidationError("--bootstrap must be ≥ 0") }
        _ = try parsedAfter()
        _ = try parsedStride()
    }

    func parsedAfter() throws -> [Int] {
        let list = try ListFlag.indices(after ?? "0,1,2,3,5,8,12", flag: "--after", maxIndex: 100_000)
        return Array(Set(list)).sorted()
    }

    func parsedStride() throws -> [Int] {
        let defaults = sampler.split(separator: ":").first == "ddim" ? "2,3" : ""
        let text = stride ?? defaults
        if text.isEmpty || text == "none" { return [] }
        let list = try ListFlag.indices(text, flag: "--stride", maxIndex: 10_000)
        if list.contains(0) { throw ValidationError("--stride values are ≥ 1 (e.g. 2,3)") }
        return Array(Set(list)).sorted()
    }

    func run() throws {
        let out = try output.prepare()
        let progress = Progress(enabled: !output.quiet, prefix: "early-exit")
        let wall = Date()
        let (preset, modelPath, promptOptions) = try DemoPreset.resolve(demo: demo, out: out, model: model, images: images,
                                                                        count: 32, log: progress.line)

        var config = EarlyExitConfig(after: try parsedAfter())
        config.strides = try parsedStride()
        config.stop = !noStop
        config.vggWeights = vggWeights
        let classifierSpec = classifier ?? preset?.classifier
        config.classifier = classifierSpec == "none" ? nil : classifierSpec
        config.labels = label.isEmpty && preset != nil ? ["foreground=world-foreground", "depth=world-depth"] : label
        config.bootstrap = bootstrap ?? preset?.bootstrap ?? 1000
        config.saveImages = !noImages

        let registry = try plugins.registry()
        let loaded = try LoadedModel(sampling.config(model, modelPath: modelPath, height: preset?.size, width: preset?.size))
        let study = try EarlyExitStudy(config, model: loaded, sampler: try registry.sampler(spec: sampler), registry: registry)
        let rows = try study.run(try promptOptions.jobs(), out: out, log: progress.line)
        progress.summary(String(format: "%d comparisons in %.1f s → %@/early_exit.html", rows.count,
                                Date().timeIntervalSince(wall), out.path))
    }
}

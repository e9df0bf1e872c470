// `ldmprobe pipeline`: generate → label → probe → classify in one command, per sampler (Studies.PipelineStudy):
// activations reach the probe study in-process (streamed, or held in memory / spilled), or with --from-disk are
// stored in the run folder and read back; x_t is classified as it is decoded; `--control permuted` repeats it all
// with a permuted-weights UNet.
//
//     ldmprobe pipeline --demo --out runs/demo
//     ldmprobe pipeline --model sd-v1-4 --prompts train.csv --count 64 --sampler ddim --sampler pndm \
//         --label fg=world-foreground --probe linear:fit=lstsq --classifier world-objects --out runs/p
import ArgumentParser
import Foundation
import Studies

struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Generate, label, probe and classify in one go: one run folder, study and report per sampler.",
        discussion: """
            Writes OUT/<sampler>/run (images and manifest; activations only with --keep-activations or \
            --from-disk), OUT/<sampler>/study (metrics.csv, probes, report.html, study.json, labels/), \
            OUT/<sampler>/classification (with --classifier: classification.csv of x_t per UNet call) and \
            OUT/index.html. A one-pass probe (linear:fit=lstsq) is streamed: each image's activations are added to \
            the probes' statistics and dropped; other probes get them kept in memory under --memory-limit, else \
            spilled to a temporary OUT/<sampler>/.ldmprobe-<pid>-…-activations.tmp folder (removed at the end). --control permuted[:SEED] also runs \
            every sampler on a UNet whose weight tensors' elements are permuted (OUT/<sampler>/control-permuted) \
            and adds its rows to metrics.csv as PROPERTY:permuted. --demo: Assets/demo (or $LDMPROBE_DEMO): its \
            model, 64 captions of rendered scenes, samplers ddim and pndm, 15 steps, 64×64, labels \
            world-foreground/depth/shading, linear:fit=lstsq, classifier world-objects, bootstrap 200, control \
            permuted:0. Explicit flags override the preset. See docs/study.md. Examples:

              ldmprobe pipeline --demo --out runs/demo
              ldmprobe pipeline --model sd-v1-4 --prompts train.csv \\
                  --count 64 --sampler ddim --sampler pndm \\
                  --label fg=world-foreground --probe linear:fit=lstsq \\
                  --classifier world-objects --out runs/p
            """)

    @Flag(help: "Use the embedded demo preset (see above).")
    var demo = false

    @OptionGroup var model: ModelOptions
    @OptionGroup var images: PromptOptions
    @OptionGroup var sampling: SamplingOptions

    @Option(help: ArgumentHelp("Sampler plugin spec (lms, ddim, pndm, …, with :key=value settings); repeatable: one "
                               + "run per sampler (default lms).", valueName: "spec"))
    var sampler: [String] = []

    @Option(help: ArgumentHelp("Module outputs to capture: paths or globs, repeatable (default '*attn1').",
                               valueName: "pattern"))
    var capture: [String] = []

    @OptionGroup var study: StudyOptions

    @Option(help: ArgumentHelp("Classifier spec for per-step classification of x_t; 'none' to skip.", valueName: "spec"))
    var classifier: String?

    @Option(help: "Target class of every image (default: the class named first in each prompt).")
    var target: String?

    @Option(help: ArgumentHelp("Word-map plugin of the <property>:wordmap rows (wordmap.h): a name or library path "
                               + "with :key=value settings.", valueName: "spec"))
    var wordmap: String = "daam"

    @Option(help: ArgumentHelp("A control study: permuted[:SEED] (UNet weights permuted; rows PROPERTY:permuted) "
                               + "or none.", valueName: "spec"))
    var control: String?

    @Flag(help: "Also store the activations in the run folder (the study still streams).")
    var keepActivations = false

    @Flag(help: "The stored path: activations to the run folder, read back by the study.")
    var fromDisk = false

    @Option(help: ArgumentHelp("dtype of stored activations: f16 or f32.", valueName: "dtype"))
    var activationDtype = "f16"

    @Option(help: ArgumentHelp("GiB of activations / probe statistics the in-process study may hold.", valueName: "GiB"))
    var memoryLimit: Double = 4

    @Option(parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Intervene through each sampler's probes: `ldmprobe intervene` flags in one string, "
                               + "e.g. \"--shift-foreground 16,0 --eval-labeler world-foreground --count 16\"; "
                               + "repeatable (docs/intervention.md).", valueName: "flags"),
            transform: InterveneCommand.stageArguments)
    var intervene: [[String]] = []

    @OptionGroup var output: OutputOptions
    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        try DemoPreset.validate(demo: demo, model: model, images: images)
        if !demo && study.label.isEmpty { throw ValidationError("give at least one --label NAME=LABELER[:SOURCE]") }
        guard ["f16", "f32"].contains(activationDtype) else { throw ValidationError("--activation-dtype: use f16 or f32") }
        guard memoryLimit > 0 else { throw ValidationError("--memory-limit must be > 0") }
        if let control { _ = try Self.permutedSeed(control) }
    }

    /// "permuted[:SEED]" → SEED (default 0); "none" → nil.
    static func permutedSeed(_ spec: String) throws -> UInt64? {
        if spec == "none" { return nil }
        let p = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard p.first == "permuted", p.count == 1 || UInt64(p[1]) != nil else {
            throw ValidationError("--control \(spec): use permuted[:SEED] or none")
        }
        return p.count == 2 ? UInt64(p[1]) : 0
    }

    /// The generation, images, samplers, capture and study settings (shared with `study`'s map stages); a
    /// preset fills in what the flags leave out.
    static func config(preset: DemoPreset?, model: ModelOptions, images: PromptOptions, sampling: SamplingOptions,
                       samplers: [String], capture: [String], study: StudyOptions, out: URL) throws -> PipelineConfig {
        guard let modelPath = model.model ?? preset?.model else { throw ValidationError("give --model (or --demo)") }
        let promptOptions = Self.prompts(images, preset)
        var config = PipelineConfig(generation: sampling.config(model, modelPath: modelPath, height: preset?.size,
                                                                width: preset?.size),
                                    jobs: try promptOptions.jobs(), out: out)
        config.promptsFile = promptOptions.promptsFile
        config.samplers = samplers.isEmpty ? (preset?.samplers ?? ["lms"]) : samplers
        config.capture = capture
        config.study = try study.config(labels: preset?.labels ?? [], probe: preset?.probe ?? "linear",
                                        bootstrap: preset?.bootstrap ?? 1000)
        return config
    }

    /// The prompt flags with the preset's prompts and count where none are given.
    static func prompts(_ images: PromptOptions, _ preset: DemoPreset?) -> PromptOptions {
        var p = images
        if let file = preset?.prompts, images.prompt == nil && images.prompts == nil { p.prompts = file }
        if p.count == nil { p.count = preset?.count }
        return p
    }

    func run() throws {
        let out = try output.prepare()
        let progress = Progress(enabled: !output.quiet, prefix: "pipeline")
        let wall = Date()
        let preset = try demo ? DemoPreset(out: out, images: images, log: progress.line) : nil
        var config = try Self.config(preset: preset, model: model, images: images, sampling: sampling,
                                     samplers: sampler, capture: capture, study: study, out: out)
        let promptOptions = Self.prompts(images, preset)
        let classifierSpec = classifier ?? preset?.classifier
        config.classifier = classifierSpec == "none" ? nil : classifierSpec
        config.target = target
        config.keepActivations = keepActivations
        config.fromDisk = fromDisk
        config.activationDType = activationDtype == "f32" ? .float32 : .float16
        config.memoryLimit = Int(memoryLimit * 1_073_741_824)
        config.permutedControlSeed = try control.map(Self.permutedSeed) ?? preset?.controlSeed

        let registry = try plugins.registry()
        let pipeline = try PipelineStudy(config: config, registry: registry, progress: !output.quiet, log: progress.line)
        pipeline.wordMapSpec = wordmap
        let results = try pipeline.run { spec, base, loaded in
            let t0 = Date()
            for (i, flags) in intervene.enumerated() {
                let report = try InterveneCommand.stage(flags, index: i, loaded: loaded, sampler: spec, images: promptOptions,
                                                        base: base, registry: registry)
                progress.line("intervene → \(report.path)")
            }
            return Date().timeIntervalSince(t0)
        }
        var summary = String(format: "done in %.1f s; report %@/index.html", Date().timeIntervalSince(wall), out.path)
        for r in results {
            summary += "\n[\(r.entry.sampler)] \(r.entry.images) images, \(r.entry.metricRows) metric rows → "
                + "\(r.base.lastPathComponent)/study" + StudyHeadline.text(study: r.base.appendingPathComponent("study"))
        }
        progress.summary(summary)
    }
}

// `ldmprobe intervene`: move the foreground or reshape depth by editing UNet activations through trained probes
// (Chen et al.'s intervention); with --eval-labeler every image is also scored against the target next to a
// random-direction control of the same norm (evaluation.csv/json). Engine: Studies.InterventionStudy. Also the
// `--intervene` stage of `ldmprobe pipeline` (InterveneCommand.stage).
import ArgumentParser
import Foundation
import Pipeline
import PluginHost
import Studies

struct InterveneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intervene",
        abstract: "Edit activations through probes so the image's foreground moves or its depth changes.",
        discussion: """
            Targets: --shift-foreground DX,DY (the image's own label moved; with --property depth the own depth \
            map is moved), --target-mask PNG (binary), --target-depth .npy/.png (continuous). The own label is the \
            --eval-labeler's label of the plain image, else the probes' last-call reading (--own-label). Defaults: \
            foreground — the up-block self-attention layers, calls 0-4; depth — every self-attention layer, calls \
            0-2; Adam lr 5e-3, 128 iterations. Per image: <out>/<id>/comparison.png, target.png, readings/, \
            report.json, report.md; over the set: report.md, report.json and, with --eval-labeler, evaluation.csv \
            and evaluation.json. Examples (docs/intervention.md):

              ldmprobe intervene --model sd-v1-4 --probes study/ \\
                  --prompt "a lemon" --seed 3 --shift-foreground 100,0 \\
                  --out interventions/lemon

              ldmprobe intervene --model Assets/demo/model --sampler ddim \\
                  --probes demo/ddim/study --prompts prompts.csv --count 32 \\
                  --shift-foreground 16,0 --eval-labeler world-foreground \\
                  --out iv
            """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var images: PromptOptions
    @OptionGroup var sampling: SamplingOptions
    @Option(help: ArgumentHelp("Sampler plugin spec.", valueName: "spec")) var sampler = "lms"
    @Option(help: "`ldmprobe probe` output folder (probes/<property>.safetensors) or one .safetensors file.")
    var probes: String
    @Option(help: "Property whose probes steer (default: foreground, or depth with --target-depth).")
    var property: String?
    @Option(help: ArgumentHelp("The probe plugin (must provide loss_gradient).", valueName: "spec"))
    var probe = "linear"
    @Option(help: "Move the image's own foreground by DX,DY pixels (+x right, +y down).")
    var shiftForeground: String?
    @Option(help: "Target foreground mask PNG (image size).") var targetMask: String?
    @Option(help: "Target depth map: .npy [H, W] float or gray PNG.") var targetDepth: String?
    @Option(help: ArgumentHelp("Layers to edit: paths or globs, comma-separated or repeated (default per target).",
                               valueName: "patterns"))
    var layers: [String] = []
    @Option(help: ArgumentHelp("UNet call indices to edit: 0-4, 0,1,last or all (default per target).",
                               valueName: "calls"))
    var calls: String?
    @Option(help: "Adam iterations per (layer, call).") var iterations = 128
    @Option(help: "Adam learning rate.") var lr: Double = 5e-3
    @Flag(help: "Also run a control: random directions with the norm of each edit (on with --eval-labeler).")
    var control = false
    @Option(help: "Seed of the control's random directions (mixed with each image's seed and the layer/call).")
    var controlSeed: UInt64 = 0
    @Option(help: ArgumentHelp("Score each plain, intervened and control image against the target with this labeler "
                               + "(world-foreground → IoU, world-depth → Spearman).", valueName: "spec"))
    var evalLabeler: String?
    @Option(help: "Own label for --shift-foreground: labeler (default with --eval-labeler) or probe.")
    var ownLabel: String?
    @Option(help: "Bootstrap resamples for the evaluation's 95 % intervals.") var bootstrap = 1000
    @OptionGroup var output: OutputOptions
    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        if (images.prompt == nil) == (images.prompts == nil) {
            throw ValidationError("give exactly one of --prompt and --prompts")
        }
        if [shiftForeground, targetMask, targetDepth].compactMap({ $0 }).count != 1 {
            throw ValidationError("give exactly one of --shift-foreground, --target-mask, --target-depth")
        }
        if iterations < 0 || lr <= 0 { throw ValidationError("--iterations must be ≥ 0 and --lr > 0") }
        if let ownLabel, InterventionOptions.OwnLabel(rawValue: ownLabel) == nil {
            throw ValidationError("--own-label is labeler or probe, got '\(ownLabel)'")
        }
        if ownLabel == "labeler" && evalLabeler == nil { throw ValidationError("--own-label labeler needs --eval-labeler") }
        if bootstrap < 0 { throw ValidationError("--bootstrap must be ≥ 0") }
        if let s = shiftForeground, Self.parseShift(s) == nil {
            throw ValidationError("--shift-foreground takes DX,DY (integers), got '\(s)'")
        }
        if let calls { _ = try CallIndices(calls, flag: "calls") }
    }

    static func parseShift(_ s: String) -> (Int, Int)? {
        let p = s.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard p.count == 2, let dx = p[0], let dy = p[1] else { return nil }
        return (dx, dy)
    }

    var config: InterventionConfig {
        let target: InterventionOptions.Target
        if let s = shiftForeground, let (dx, dy) = Self.parseShift(s) {
            target = .shift(dx: dx, dy: dy)
        } else if let m = targetMask { target = .mask(path: m) } else { target = .depth(path: targetDepth ?? "") }
        var c = InterventionConfig(target: target, probes: probes)
        c.property = property
        c.probe = probe
        c.layers = layers.isEmpty ? nil : LayerPatterns.split(layers)
        c.calls = calls
        c.iterations = iterations
        c.learningRate = lr
        c.control = control
        c.controlSeed = controlSeed
        c.evalLabeler = evalLabeler
        c.ownLabel = ownLabel.flatMap(InterventionOptions.OwnLabel.init(rawValue:))
        c.bootstrap = bootstrap
        return c
    }

    func run() throws {
        guard let modelPath = model.model else { throw ValidationError("give --model") }
        let registry = try plugins.registry()
        let out = try output.prepare()
        let progress = Progress(enabled: !output.quiet, prefix: "intervene")
        let loaded = try LoadedModel(sampling.config(model, modelPath: modelPath))
        let report = try InterventionStudy(config).run(try images.jobs(), model: loaded,
                                                       sampler: try registry.sampler(spec: sampler),
                                                       registry: registry, out: out, log: progress.line)
        progress.summary("report \(report.path)")
    }
}

// MARK: - The `--intervene` stage of `ldmprobe pipeline`

extension InterveneCommand {
    /// Flags the pipeline fills in; FLAGS may override them.
    static let placeholders = ["--probes", "-", "--out", "-", "--prompt", "-"]

    /// `pipeline --intervene "FLAGS"`: intervene's own flags split on spaces (no quoting), checked when the
    /// command line is parsed (before any generation) with placeholders for what the pipeline supplies.
    static func stageArguments(_ flags: String) throws -> [String] {
        let tokens = flags.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        do {
            var probe = placeholders + tokens
            if tokens.contains("--prompts") { probe.removeSubrange(4 ..< 6) }
            _ = try InterveneCommand.parse(probe)
        } catch {
            throw ValidationError("--intervene '\(flags)': " + InterveneCommand.message(for: error))
        }
        return tokens
    }

    /// One `--intervene` stage for one sampler of the pipeline, with the sampler's study probes and the model
    /// already loaded: <base>/intervene (or intervene-<k+1>). The pipeline's sampler and images are used unless
    /// FLAGS give their own; the model and sampling settings are the pipeline's. Returns the stage's report.md.
    static func stage(_ tokens: [String], index: Int, loaded: LoadedModel, sampler: String, images: PromptOptions,
                      base: URL, registry: PluginRegistry) throws -> URL {
        var args = ["--probes", base.appendingPathComponent("study").path, "--sampler", sampler,
                    "--out", base.appendingPathComponent(index == 0 ? "intervene" : "intervene-\(index + 1)").path,
                    "--overwrite"]
        if !tokens.contains("--prompt") && !tokens.contains("--prompts") {
            if let prompts = images.prompts {
                args += ["--prompts", prompts] + (images.count.map { ["--count", "\($0)"] } ?? [])
            } else {
                args += ["--prompt", images.prompt ?? "", "--seed", "\(images.seed ?? 0)"]
            }
        }
        let command: InterveneCommand
        do {
            command = try InterveneCommand.parse(args + tokens)
        } catch {
            throw ValidationError("--intervene: " + InterveneCommand.message(for: error))
        }
        let out = try command.output.prepare()
        let progress = Progress(enabled: !command.output.quiet, prefix: "intervene")
        return try InterventionStudy(command.config).run(try command.images.jobs(), model: loaded,
                                                         sampler: try registry.sampler(spec: command.sampler),
                                                         registry: registry, out: out, log: progress.line)
    }
}

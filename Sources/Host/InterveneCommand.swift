// `ldmprobe intervene`: move the foreground or reshape depth by editing UNet activations through trained probes
// (Chen et al.'s intervention): at each chosen layer and step, Adam moves the conditional branch's activation
// until the probe reads the target, writes it back, and generation goes on. With --eval-labeler every image is
// also scored by a labeler against the target, next to a random-direction control of the same norm, and the set
// is summarised with bootstrap intervals (evaluation.csv/json). Engine: Pipeline/Intervention. Also the
// `--intervene` stage of `ldmprobe pipeline` (InterveneCommand.stage).
import ArgumentParser
import FileFormats
import Foundation
import Pipeline
import PluginHost

struct InterveneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intervene",
        abstract: "Edit activations through probes so the image's foreground moves or its depth changes.",
        discussion: """
            ldmprobe intervene --model sd-v1-4 --probes study/ --prompt "a lemon" --seed 3 \\
                --shift-foreground 100,0 --out interventions/lemon
            ldmprobe intervene --model Assets/demo/model --probes demo/ddim/study --prompts prompts.csv --count 32 \\
                --sampler ddim --height 64 --width 64 --shift-foreground 16,0 --eval-labeler world-foreground --out iv
            Targets: --shift-foreground DX,DY (the image's own label moved; the vacated area is background; with \
            --property depth the own depth map is moved and pasted over the original), --target-mask PNG (binary), \
            --target-depth .npy/.png (continuous). The own label is the --eval-labeler's label of the plain image, \
            else the probes' last-step reading (--own-label). Defaults as the study: foreground — the up-block \
            self-attention layers, steps 0-4; depth — every self-attention layer, steps 0-2; Adam lr 5e-3, 128 \
            iterations. Outputs per image: <out>/<id>/comparison.png (plain | intervened [| control]), target.png, \
            readings/, labels/ (with --eval-labeler), report.json, report.md; over the set: report.md, report.json \
            and, with --eval-labeler, evaluation.csv and evaluation.json. See docs/intervention.md.
            """)

    @Option(help: "Model: a diffusers folder.")
    var model: String
    @Option(help: "Tokenizer folder (vocab.json, merges.txt) when the model has no tokenizer/.")
    var tokenizer: String?
    @Option(help: "`ldmprobe probe` output folder (probes/<property>.safetensors) or one .safetensors file.")
    var probes: String
    @Option(help: "Property whose probes steer (default: foreground, or depth with --target-depth).")
    var property: String?
    @Option(help: ArgumentHelp("The probe plugin (must provide loss_gradient).", valueName: "spec"))
    var probe = "linear"
    @Option(help: "One prompt.") var prompt: String?
    @Option(help: "Seed (with --prompt; default 0).") var seed: UInt64?
    @Option(help: "Dataset CSV (prompts, seeds, prompt_inds).") var prompts: String?
    @Option(help: "Use only the first N rows of --prompts.") var count: Int?
    @Option(help: "Move the image's own foreground by DX,DY pixels (+x right, +y down).")
    var shiftForeground: String?
    @Option(help: "Target foreground mask PNG (image size).") var targetMask: String?
    @Option(help: "Target depth map: .npy [H, W] float or gray PNG.") var targetDepth: String?
    @Option(help: "Comma-separated layer paths or globs (default per target, see above).") var layers: String?
    @Option(help: "UNet call indices: 0,1,2 or a range 0-4.") var steps: String?
    @Option(help: "Adam iterations per (layer, step).") var iterations = 128
    @Option(help: "Adam learning rate.") var lr: Double = 5e-3
    @Flag(help: "Also run a control: random directions with the norm of each edit (on with --eval-labeler).")
    var control = false
    @Option(help: "Seed of the control's random directions (mixed with each image's seed and the layer/step).")
    var controlSeed: UInt64 = 0
    @Option(help: ArgumentHelp("Score each plain, intervened and control image against the target with this labeler "
                               + "(an estimator that reads the image: world-foreground → IoU, world-depth → Spearman).",
                               valueName: "spec"))
    var evalLabeler: String?
    @Option(help: "Own label for --shift-foreground: labeler (default with --eval-labeler) or probe.")
    var ownLabel: String?
    @Option(help: "Bootstrap resamples for the evaluation's 95 % intervals.") var bootstrap = 1000
    @Option(help: "Sampler plugin spec.") var sampler = "lms"
    @Option(help: "Inference steps.") var inferenceSteps = 15
    @Option(help: "Classifier-free guidance scale.") var guidance: Double = 7.5
    @Option(help: "Image height.") var height = 512
    @Option(help: "Image width.") var width = 512
    @Option(help: "Output folder.") var out: String
    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        if (prompt == nil) == (prompts == nil) { throw ValidationError("give exactly one of --prompt and --prompts") }
        if [shiftForeground, targetMask, targetDepth].compactMap({ $0 }).count != 1 {
            throw ValidationError("give exactly one of --shift-foreground, --target-mask, --target-depth")
        }
        if iterations < 0 || lr <= 0 { throw ValidationError("--iterations must be ≥ 0 and --lr > 0") }
        if let count, count < 1 { throw ValidationError("--count must be ≥ 1") }
        if let ownLabel, InterventionOptions.OwnLabel(rawValue: ownLabel) == nil {
            throw ValidationError("--own-label is labeler or probe, got '\(ownLabel)'")
        }
        if ownLabel == "labeler" && evalLabeler == nil { throw ValidationError("--own-label labeler needs --eval-labeler") }
        if bootstrap < 0 { throw ValidationError("--bootstrap must be ≥ 0") }
        if let s = shiftForeground, Self.parseShift(s) == nil {
            throw ValidationError("--shift-foreground takes DX,DY (integers), got '\(s)'")
        }
        if let steps { _ = try Self.parseSteps(steps) }
    }

    static func parseShift(_ s: String) -> (Int, Int)? {
        let p = s.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard p.count == 2, let dx = p[0], let dy = p[1] else { return nil }
        return (dx, dy)
    }

    static func parseSteps(_ text: String) throws -> [Int] {
        var out: [Int] = []
        for part in text.split(separator: ",") {
            let b = part.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if b.count == 1, let a = b[0] { out.append(a) } else if b.count == 2, let a = b[0], let c = b[1], a <= c {
                out += Array(a ... c)
            } else { throw ValidationError("bad --steps entry '\(part)' (use 0,1,2 or 0-4)") }
        }
        return out
    }

    func run() throws {
        print(try execute(registry: plugins.registry(), model: nil).path)
    }

    /// Runs every image; returns the set's report.md. `loaded`: a model already in memory (the pipeline stage).
    @discardableResult
    func execute(registry: PluginRegistry, model loaded: StableDiffusionModel?) throws -> URL {
        var jobs: [ImageJob] = try prompts.map { try PromptRow.read(URL(fileURLWithPath: $0)).map(ImageJob.init(row:)) }
            ?? [.single(prompt: prompt!, seed: seed ?? 0)]
        if let count { jobs = Array(jobs.prefix(count)) }
        let target: InterventionOptions.Target
        if let s = shiftForeground, let (dx, dy) = Self.parseShift(s) {
            target = .shift(dx: dx, dy: dy)
        } else if let m = targetMask { target = .mask(path: m) } else { target = .depth(path: targetDepth!) }

        let samplerPlugin = try registry.sampler(spec: sampler)
        let probePlugin = try registry.probe(spec: probe)
        let probeFile = try InterventionProbes.file(in: probes, property: property ?? (targetDepth != nil ? "depth" : "foreground"))
        let probeSet = try InterventionProbes(path: probeFile, plugin: probePlugin)
        let labeler = try evalLabeler.map { try registry.labeler(spec: $0).instantiate() }
        let sd = try loaded ?? StableDiffusionModel(path: model, tokenizerFolder: tokenizer)
        let settings = GenerationSettings(steps: inferenceSteps, guidance: guidance, height: height, width: width)
        let pipeline = try DiffusionPipeline(textEncoder: sd.textEncoder, unet: sd.unet, decoder: sd.decoder,
                                             scalingFactor: sd.scalingFactor, sampler: samplerPlugin,
                                             schedulerConfigJSON: sd.schedulerConfigJSON, settings: settings)
        let attn1 = pipeline.capturePoints.filter(\.isSelfAttention)
        let chosen: [String]
        if let layers {
            let patterns = layers.split(separator: ",").map { String($0) }
            chosen = try CaptureSelection(patterns: patterns, available: attn1).paths
        } else {
            chosen = attn1.filter { probeSet.kind == .continuous || $0.path.hasPrefix("up_blocks") }.map(\.path)
        }
        var options = InterventionOptions(target: target, layers: chosen,
                                          steps: try Self.parseSteps(steps ?? (probeSet.kind == .continuous ? "0-2" : "0-4")))
        options.editor = AdamEditor(learningRate: Float(lr), iterations: iterations)
        options.control = control || labeler != nil
        options.controlSeed = controlSeed
        options.labeler = labeler
        options.labelerName = evalLabeler ?? ""
        options.ownLabel = ownLabel.flatMap(InterventionOptions.OwnLabel.init(rawValue:))
        let runner = try InterventionRunner(pipeline: pipeline, probes: probeSet, options: options)
        let outURL = URL(fileURLWithPath: out)
        try AtomicFile.createFolder(outURL)
        var reports: [InterventionImageReport] = []
        let started = Date()
        for (i, job) in jobs.enumerated() {
            let r = try runner.run(job, out: outURL, index: i, total: jobs.count)
            reports.append(r)
            let per = Date().timeIntervalSince(started) / Double(i + 1)
            var line = "intervene: image \(i + 1)/\(jobs.count) \(job.id): probe score \(fmt(r.scorePlain)) → \(fmt(r.scoreIntervened))"
                + (r.scoreControl.map { " (control \(fmt($0)))" } ?? "")
            if let l = r.labelerScores {
                line += ", \(l.metric) \(fmt(l.plain)) → \(fmt(l.intervened)) (control \(fmt(l.control ?? .nan)))"
            }
            line += ", \(fmt(r.secondsIntervened)) s vs \(fmt(r.secondsPlain)) s plain, ETA \(Int(per * Double(jobs.count - i - 1))) s\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        let evaluation = InterventionEvaluation(reports: reports, resamples: bootstrap, seed: controlSeed)
        if labeler != nil { try evaluation.write(to: outURL) }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try enc.encode(reports), to: outURL.appendingPathComponent("report.json"))
        var md = "# Interventions (\(probeSet.property))\n\nProbes: \(probeFile)  \nLayers: \(chosen.count) "
            + "(\(chosen.first ?? "") …), steps \(options.steps.map(String.init).joined(separator: ","))  \n"
            + "Adam: lr \(lr), \(iterations) iterations per (layer, step)\n\n"
            + evaluation.markdown() + "\n## Images\n\n"
        let l = reports.first?.labelerScores
        md += "| image | probe plain | probe intervened | probe control |"
            + (l.map { " \($0.metric) plain | \($0.metric) intervened | \($0.metric) control |" } ?? "")
            + " s intervened | s plain |\n|---|---|---|---|" + (l == nil ? "" : "---|---|---|") + "---|---|\n"
        for r in reports {
            md += "| [\(r.id)](\(r.id)/report.md) | \(fmt(r.scorePlain)) | \(fmt(r.scoreIntervened)) | \(fmt(r.scoreControl ?? .nan)) |"
            if let s = r.labelerScores { md += " \(fmt(s.plain)) | \(fmt(s.intervened)) | \(fmt(s.control ?? .nan)) |" }
            md += " \(fmt(r.secondsIntervened)) | \(fmt(r.secondsPlain)) |\n"
        }
        let report = outURL.appendingPathComponent("report.md")
        try AtomicFile.write(md, to: report)
        return report
    }

    func fmt(_ v: Double) -> String { v.isFinite ? String(format: "%.4g", v) : "–" }
}

// MARK: - The `--intervene` stage of `ldmprobe pipeline`

extension InterveneCommand {
    /// Flags the pipeline fills in; FLAGS may override them (the last occurrence of an option wins).
    static let placeholders = ["--model", "-", "--probes", "-", "--out", "-", "--prompt", "-"]

    /// `pipeline --intervene "FLAGS"`: intervene's own flags split on spaces (no quoting), checked when the
    /// command line is parsed (before any generation) with placeholders for what the pipeline supplies.
    static func stageArguments(_ flags: String) throws -> [String] {
        let tokens = flags.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        do {
            var probe = placeholders + tokens
            if tokens.contains("--prompts") { probe.removeSubrange(6 ..< 8) }
            _ = try InterveneCommand.parse(probe)
        } catch {
            throw ValidationError("--intervene '\(flags)': " + InterveneCommand.message(for: error))
        }
        return tokens
    }

    /// Runs one `--intervene` stage for one sampler of the pipeline with the sampler's study probes and the
    /// model already loaded: <base>/intervene (or intervene-<k+1> for the k-th stage, k > 0). The pipeline's
    /// sampler, steps, guidance, size and prompts (--prompts with --count, or --prompt/--seed) are used unless
    /// FLAGS give their own. Returns the stage's report.md.
    @discardableResult
    static func stage(_ tokens: [String], index: Int, model: StableDiffusionModel, modelPath: String, tokenizer: String?,
                      sampler: String, settings: GenerationSettings, prompts: String?, count: Int?, prompt: String?,
                      seed: UInt64?, base: URL, registry: PluginRegistry) throws -> URL {
        var args = ["--model", modelPath, "--probes", base.appendingPathComponent("study").path,
                    "--out", base.appendingPathComponent(index == 0 ? "intervene" : "intervene-\(index + 1)").path,
                    "--sampler", sampler, "--inference-steps", "\(settings.steps)", "--guidance", "\(settings.guidance)",
                    "--height", "\(settings.height)", "--width", "\(settings.width)"]
        if let tokenizer { args += ["--tokenizer", tokenizer] }
        if !tokens.contains("--prompt") && !tokens.contains("--prompts") {
            if let prompts {
                args += ["--prompts", prompts] + (count.map { ["--count", "\($0)"] } ?? [])
            } else {
                args += ["--prompt", prompt ?? "", "--seed", "\(seed ?? 0)"]
            }
        }
        let command: InterveneCommand
        do {
            command = try InterveneCommand.parse(args + tokens)
        } catch {
            throw ValidationError("--intervene: " + InterveneCommand.message(for: error))
        }
        defer { model.unet.attach(nil) }  // the runner's tap must not stay on the shared UNet
        return try command.execute(registry: registry, model: model)
    }
}

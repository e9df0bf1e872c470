// `ldmprobe intervene`: move the foreground or reshape depth by editing UNet activations through trained probes
// (Chen et al.'s intervention): at each chosen layer and step, Adam moves the conditional branch's activation
// until the probe reads the target, writes it back, and generation goes on. Engine: Pipeline/Intervention.
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
            Targets: --shift-foreground DX,DY (the probes' own last-step reading of the plain image, moved; the
            vacated area is background), --target-mask PNG (binary), --target-depth .npy/.png (continuous).
            Defaults as the study: foreground — the up-block self-attention layers, steps 0-4; depth — every
            self-attention layer, steps 0-2; Adam lr 5e-3, 128 iterations. Outputs per image: <out>/<id>/
            comparison.png (plain | intervened [| control]), target.png, readings/, report.json, report.md.
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
    @Option(help: "Move the image's own foreground by DX,DY pixels (+x right, +y down).")
    var shiftForeground: String?
    @Option(help: "Target foreground mask PNG (image size).") var targetMask: String?
    @Option(help: "Target depth map: .npy [H, W] float or gray PNG.") var targetDepth: String?
    @Option(help: "Comma-separated layer paths or globs (default per target, see above).") var layers: String?
    @Option(help: "UNet call indices: 0,1,2 or a range 0-4.") var steps: String?
    @Option(help: "Adam iterations per (layer, step).") var iterations = 128
    @Option(help: "Adam learning rate.") var lr: Double = 5e-3
    @Flag(help: "Also run a control: random directions with the norm of each edit.") var control = false
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
        let jobs: [ImageJob] = try prompts.map { try PromptRow.read(URL(fileURLWithPath: $0)).map(ImageJob.init(row:)) }
            ?? [.single(prompt: prompt!, seed: seed ?? 0)]
        let depth = targetDepth != nil
        let target: InterventionOptions.Target
        if let s = shiftForeground {
            let p = s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard p.count == 2 else { throw ValidationError("--shift-foreground takes DX,DY (integers), got '\(s)'") }
            target = .shift(dx: p[0], dy: p[1])
        } else if let m = targetMask { target = .mask(path: m) } else { target = .depth(path: targetDepth!) }

        let registry = try plugins.registry()
        let samplerPlugin = try registry.sampler(spec: sampler)
        let probePlugin = try registry.probe(spec: probe)
        let probeFile = try InterventionProbes.file(in: probes, property: property ?? (depth ? "depth" : "foreground"))
        let probeSet = try InterventionProbes(path: probeFile, plugin: probePlugin)
        let sd = try StableDiffusionModel(path: model, tokenizerFolder: tokenizer)
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
        options.control = control
        let runner = try InterventionRunner(pipeline: pipeline, probes: probeSet, options: options)
        let outURL = URL(fileURLWithPath: out)
        var reports: [InterventionImageReport] = []
        for (i, job) in jobs.enumerated() {
            let r = try runner.run(job, out: outURL, index: i, total: jobs.count)
            FileHandle.standardError.write(Data(("image \(i + 1)/\(jobs.count) \(job.id): score plain \(r.scorePlain) → intervened \(r.scoreIntervened)"
                + (r.scoreControl.map { ", control \($0)" } ?? "") + ", \(r.secondsIntervened) s vs \(r.secondsPlain) s plain\n").utf8))
            reports.append(r)
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try enc.encode(reports), to: outURL.appendingPathComponent("report.json"))
        var md = "# Interventions (\(probeSet.property))\n\n| image | plain | intervened | control | s intervened | s plain |\n|---|---|---|---|---|---|\n"
        for r in reports {
            md += "| [\(r.id)](\(r.id)/report.md) | \(r.scorePlain) | \(r.scoreIntervened) | \(r.scoreControl.map { "\($0)" } ?? "–") | \(r.secondsIntervened) | \(r.secondsPlain) |\n"
        }
        try AtomicFile.write(md, to: outURL.appendingPathComponent("report.md"))
        print(outURL.appendingPathComponent("report.md").path)
    }
}

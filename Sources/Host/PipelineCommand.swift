// `ldmprobe pipeline`: generate → label → probe → classify in one command, per sampler, through the same library
// calls as `generate`, `probe` and `classify-run`. Activations are stored in each sampler's run folder
// (<out>/<sampler>/run/activations) and read back by the probe study: the probe API reads a run folder, so the
// pipeline does not stream them in memory (yet).
//
//     ldmprobe pipeline --demo --out runs/demo
//     ldmprobe pipeline --model sd-v1-4 --prompts train.csv --count 64 --sampler ddim --sampler pndm \
//         --label fg=world-foreground --probe linear:fit=lstsq --classifier world-objects --out runs/p
import ArgumentParser
import FileFormats
import Foundation
import Pipeline
import PluginABI
import PluginHost
import Study
import World

struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Generate, label, probe and classify in one go: one run folder, study and report per sampler.",
        discussion: """
            Writes OUT/<sampler>/run (the run folder, with activations stored as by `generate`: the probe study \
            reads them back from disk), OUT/<sampler>/study (metrics.csv, probes, report.html), \
            OUT/<sampler>/labels/<name>/<id>.npy (each label computed once from the generated image), \
            OUT/<sampler>/classification (with --classifier: per-step classification.csv of the x_t intermediates) \
            and OUT/index.html linking them. An existing run folder is resumed (finished images are kept).
            --demo: the embedded demo (Assets/demo, or $LDMPROBE_DEMO): its model, 64 captions of rendered scenes \
            (`ldmprobe world`, base seed 2, written to OUT/prompts.csv), samplers ddim and pndm, 15 steps, guidance 7.5, 64×64, every \
            self-attention layer, labels from world-foreground/world-depth/world-shading, the lstsq linear probe, \
            classifier world-objects. Any flag given explicitly overrides the preset.
            """)

    @Flag(help: "Use the embedded demo preset (see above).")
    var demo = false

    @Option(help: "Model: a diffusers folder or a single-file SD v1 checkpoint (--demo: Assets/demo/model).")
    var model: String?

    @Option(help: "Tokenizer folder (vocab.json, merges.txt) when the model has no tokenizer/.")
    var tokenizer: String?

    @Option(help: "One prompt (image id prompt_0_seed_<seed>).")
    var prompt: String?

    @Option(help: "Seed for the single --prompt (default 0).")
    var seed: UInt64?

    @Option(help: "Dataset CSV with columns prompts, seeds, prompt_inds.")
    var prompts: String?

    @Option(help: "Use only the first N rows of --prompts (--demo: 64).")
    var count: Int?

    @Option(help: ArgumentHelp("Sampler plugin spec (lms, ddim, pndm, …, with :key=value settings); repeatable: one "
                               + "run per sampler (default lms; --demo: ddim and pndm).", valueName: "spec"))
    var sampler: [String] = []

    @Option(help: "Inference steps (default 15).")
    var steps: Int?

    @Option(help: "Classifier-free guidance scale (default 7.5).")
    var guidance: Double?

    @Option(help: "Image height (default 512; --demo: 64).")
    var height: Int?

    @Option(help: "Image width (default 512; --demo: 64).")
    var width: Int?

    @Option(name: .customLong("capture"),
            help: ArgumentHelp("Module output to capture (diffusers path or glob); repeatable. Default: every "
                               + "self-attention output ('*attn1').", valueName: "pattern"))
    var capture: [String] = []

    @Option(help: ArgumentHelp("A property: NAME=LABELER[:SOURCE][,key=value…], e.g. fg=world-foreground or "
                               + "depth=midas:labels/midas,normalize=minmax. Repeatable.", valueName: "spec"))
    var label: [String] = []

    @Option(help: ArgumentHelp("Probe plugin spec (default linear; --demo: linear:fit=lstsq).", valueName: "spec"))
    var probe: String?

    @Option(help: ArgumentHelp("csv:TRAIN.csv[,TEST.csv] or fraction:F[:SEED] (default fraction:0.4:0).",
                               valueName: "spec"))
    var split: String?

    @Option(help: "Bootstrap resamples per interval (default 1000; --demo: 200).")
    var bootstrap: Int?

    @Option(help: ArgumentHelp("Classifier spec for per-step classification (--demo: world-objects); 'none' to skip.",
                               valueName: "spec"))
    var classifier: String?

    @Option(help: "Target class of every image (default: the class named first in each prompt).")
    var target: String?

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    @Option(help: ArgumentHelp("Output folder.", valueName: "dir"))
    var out: String

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        if !demo {
            guard model != nil else { throw ValidationError("give --model (or --demo)") }
            if (prompt == nil) == (prompts == nil) { throw ValidationError("give exactly one of --prompt and --prompts") }
            guard !label.isEmpty else { throw ValidationError("give at least one --label NAME=LABELER[:SOURCE]") }
        }
        if prompt != nil && prompts != nil { throw ValidationError("give --prompt or --prompts, not both") }
        if let count, count < 1 { throw ValidationError("--count must be ≥ 1") }
        for l in label where PipelineCommand.parseLabel(l) == nil {
            throw ValidationError("--label \(l): expected NAME=LABELER[:SOURCE][,key=value…]")
        }
    }

    /// NAME=LABELER[:SOURCE][,k=v…] → (name, labeler spec "LABELER[:k=v,…]", source or "").
    static func parseLabel(_ s: String) -> (name: String, spec: String, source: String)? {
        guard let eq = s.firstIndex(of: "=") else { return nil }
        let name = String(s[..<eq]), rest = String(s[s.index(after: eq)...])
        guard !name.isEmpty, !name.contains(":"), !rest.isEmpty else { return nil }
        let head: String, params: String?
        if let comma = rest.firstIndex(of: ",") {
            head = String(rest[..<comma]); params = String(rest[rest.index(after: comma)...])
        } else {
            head = rest; params = nil
        }
        let parts = head.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard !parts[0].isEmpty else { return nil }
        let source = parts.count > 1 ? parts[1] : ""
        let spec = params.map { "\(parts[0]):\($0)" } ?? parts[0]
        return (name, spec, source)
    }

    func log(_ s: String) {
        if !quiet { FileHandle.standardError.write(Data(("pipeline: " + s + "\n").utf8)) }
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out).standardizedFileURL
        try AtomicFile.createFolder(outURL)
        let wall = Date()

        // Resolve the preset, explicit flags winning.
        var modelPath = model, promptsPath = prompts, count = count
        var samplers = sampler, labels = label, probeSpec = probe ?? "linear", classifierSpec = classifier
        var steps = steps ?? 15, guidance = guidance ?? 7.5, height = height ?? 512, width = width ?? 512
        var bootstrap = bootstrap ?? 1000
        if demo {
            let exe = Bundle.main.executablePath ?? CommandLine.arguments[0]
            guard let folder = DemoAssets.folder(from: exe, containing: "model/model_index.json") else {
                throw ValidationError("--demo: no Assets/demo/model above \(exe) (set \(DemoAssets.environmentVariable) "
                                      + "to the demo folder)")
            }
            log("demo assets \(folder)")
            if modelPath == nil { modelPath = folder + "/model" }
            if prompt == nil && promptsPath == nil {
                if FileManager.default.fileExists(atPath: folder + "/prompts.csv") {
                    promptsPath = folder + "/prompts.csv"
                } else {
                    let n = count ?? 64
                    let csv = outURL.appendingPathComponent("prompts.csv")
                    try PipelineCommand.writeWorldPrompts(count: n, baseSeed: 2, to: csv)
                    promptsPath = csv.path
                }
            }
            if count == nil { count = 64 }
            if samplers.isEmpty { samplers = ["ddim", "pndm"] }
            if labels.isEmpty {
                labels = ["foreground=world-foreground", "depth=world-depth", "shading=world-shading"]
            }
            if probe == nil { probeSpec = "linear:fit=lstsq" }
            if classifierSpec == nil { classifierSpec = "world-objects" }
            if self.height == nil { height = 64 }
            if self.width == nil { width = 64 }
            if self.bootstrap == nil { bootstrap = 200 }
        }
        if samplers.isEmpty { samplers = ["lms"] }
        if classifierSpec == "none" { classifierSpec = nil }
        _ = (steps, guidance)
        steps = max(1, steps); guidance = max(0, guidance)

        // Images first: a bad CSV fails before any model is loaded.
        var jobs: [ImageJob]
        if let promptsPath {
            var rows = try PromptRow.read(URL(fileURLWithPath: promptsPath))
            if let count { rows = Array(rows.prefix(count)) }
            jobs = rows.map(ImageJob.init(row:))
        } else {
            jobs = [.single(prompt: prompt!, seed: seed ?? 0)]
        }

        let registry = try plugins.registry()
        // Fail on a bad label / probe / classifier spec before the long generation.
        let parsedLabels = labels.map { PipelineCommand.parseLabel($0)! }
        for l in parsedLabels { _ = try registry.labeler(spec: l.spec) }
        let probePlugin = try registry.probe(spec: probeSpec)
        let classifierPlugin = try classifierSpec.map { try registry.classifier(spec: $0) }

        log("loading \(modelPath!)")
        let sd = try StableDiffusionModel(path: modelPath!, variant: .auto, tokenizerFolder: tokenizer)
        let hash = try ModelFingerprint.hash(files: sd.weightFiles, root: sd.path)
        let settings = GenerationSettings(steps: steps, guidance: guidance, height: height, width: width,
                                          negativePrompt: "")

        var entries: [PipelineIndexEntry] = []
        var usedNames: Set<String> = []
        for (k, spec) in samplers.enumerated() {
            let samplerPlugin = try registry.sampler(spec: spec)
            var name = samplerPlugin.info.name.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
                .reduce(into: "") { $0.append($1) }
            if usedNames.contains(name) { name += "-\(k)" }
            usedNames.insert(name)
            let base = outURL.appendingPathComponent(name)
            try AtomicFile.createFolder(base)
            var seconds: [String: Double] = [:]

            // 1. Generate (activations stored in the run folder; x_t intermediates when classifying).
            var t0 = Date()
            log("[\(name)] (\(k + 1)/\(samplers.count)) generate \(jobs.count) image(s), \(steps) steps → \(name)/run")
            let pipeline = try DiffusionPipeline(textEncoder: sd.textEncoder, unet: sd.unet, decoder: sd.decoder,
                                                 scalingFactor: sd.scalingFactor, sampler: samplerPlugin,
                                                 schedulerConfigJSON: sd.schedulerConfigJSON, settings: settings)
            let folder = RunFolder(base.appendingPathComponent("run"))
            var options = RunOptions(jobs: jobs)
            options.capturePatterns = capture.isEmpty ? nil : (capture == ["none"] ? [] : capture)
            options.saveIntermediates = classifierPlugin == nil ? "none" : "xt"
            options.resume = folder.exists
            options.promptsFile = promptsPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            let params = Dictionary(samplerPlugin.parameters.values.map { ($0.name, $0.stringValue) },
                                    uniquingKeysWith: { a, _ in a })
            let run = try GenerationRun(
                pipeline: pipeline, folder: folder, options: options,
                model: .init(path: sd.path, weightsHash: hash.combined, files: hash.files),
                samplerName: samplerPlugin.info.name, samplerVersion: samplerPlugin.info.version,
                samplerParameters: params, vaeScalingFactor: Double(sd.scalingFactor))
            let reporter = ProgressReporter(totalImages: run.jobs.count, enabled: !quiet)
            let manifest = try run.execute(ldmprobeVersion: LDMProbeVersion.string,
                                           pluginAbi: "\(LDMP_ABI_VERSION_MAJOR).\(LDMP_ABI_VERSION_MINOR)",
                                           progress: reporter)
            seconds["generate"] = Date().timeIntervalSince(t0)

            // 2. Label + probe.
            t0 = Date()
            let runs = try RunActivations(run: folder.url)
            // Labels once per image, with the generated image passed to the labeler (estimators need it; the probe
            // study passes none), stored as <sampler>/labels/<name>/<id>.npy and read back by `generic`.
            var properties: [StudyProperty] = []
            for l in parsedLabels {
                let labeler = try registry.labeler(spec: l.spec).instantiate(source: l.source)
                let labelFolder = base.appendingPathComponent("labels").appendingPathComponent(l.name)
                var lastNote = Date.distantPast
                let kind = try LabelMaterializer.write(labeler: labeler, run: runs, height: height, width: width,
                                                       to: labelFolder) { i, n in
                    guard Date().timeIntervalSince(lastNote) > 2 || i == n else { return }
                    lastNote = Date()
                    self.log("[\(name)] label \(l.name) (\(l.spec)) image \(i)/\(n)")
                }
                let stored = try registry.labeler(spec: "generic:kind=\(kind.rawValue),resize=nearest,ext=npy")
                    .instantiate(source: labelFolder.path)
                properties.append(StudyProperty(name: l.name, labeler: stored))
            }
            let splitValue = try DataSplit.parse(split ?? "fraction:0.4:0", ids: runs.ids)
            var studyOptions = ProbeStudyOptions(split: splitValue, labelHeight: height, labelWidth: width)
            studyOptions.bootstrapResamples = bootstrap
            log("[\(name)] probe: \(runs.ids.count) images (\(splitValue.train.count) train, \(splitValue.test.count) "
                + "test), \(runs.layers.count) layers, properties "
                + properties.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ") + " → \(name)/study")
            let study = ProbeStudy(run: runs, properties: properties, probe: probePlugin, options: studyOptions,
                                   out: base.appendingPathComponent("study"), controlRun: nil)
            var lastCell = Date.distantPast
            let rows = try study.run(log: { line in
                // Per-cell lines at most every 5 s (the study logs every cell).
                if line.contains("/cell") {
                    guard Date().timeIntervalSince(lastCell) > 5 else { return }
                    lastCell = Date()
                }
                self.log("[\(name)] " + line)
            })
            seconds["probe"] = Date().timeIntervalSince(t0)

            // 3. Per-step classification of the x_t intermediates.
            if let classifierPlugin {
                t0 = Date()
                log("[\(name)] classify x_t intermediates → \(name)/classification")
                try classify(manifest: manifest, folder: folder, classifier: classifierPlugin,
                             out: base.appendingPathComponent("classification"), name: name)
                seconds["classify"] = Date().timeIntervalSince(t0)
            }
            entries.append(PipelineIndexEntry(
                sampler: name, images: manifest.images.filter { $0.status == .done }.count,
                calls: manifest.settings.calls, metricRows: rows.count, seconds: seconds,
                hasClassification: classifierPlugin != nil))
            try PipelineIndex.write(entries, commandLine: CommandLine.arguments.joined(separator: " "), to: outURL)
        }
        let index = outURL.appendingPathComponent("index.html").path
        log(String(format: "done in %.1f s", Date().timeIntervalSince(wall)))
        print("report: \(index)")
    }

    func classify(manifest: RunManifest, folder: RunFolder, classifier: ClassifierPlugin, out: URL,
                  name: String) throws {
        let instance = try classifier.instantiate()
        let labels = instance.classNames
        let fixed = try target.map { try ClassRanking.resolve($0, labels: labels) }
        var images: [StepImage] = []
        for record in manifest.images where record.status == .done {
            let urls = (0..<manifest.settings.calls).map { folder.intermediateURL(record.id, kind: "xt", call: $0) }
            let t = fixed ?? PromptTarget.firstNamed(in: record.prompt, labels: labels)
                ?? ClassRanking.find(in: record.prompt, labels: labels)
            images.append(StepImage(id: record.id, prompt: record.prompt, target: t, frames: ["xt": urls]))
        }
        let start = Date()
        var last = Date.distantPast
        let report = try StepClassification(classifier: instance, top: 5).run(images, kinds: ["xt"]) { i, n, j, u in
            let now = Date()
            guard !quiet, now.timeIntervalSince(last) > 2 || (i == n - 1 && j == u) else { return }
            last = now
            let done = Double(i * u + j), total = Double(n * u)
            let per = now.timeIntervalSince(start) / max(1, done)
            FileHandle.standardError.write(Data(String(format: "pipeline: [%@] classify image %d/%d, step %d/%d, "
                + "%.3f s/step, ETA %.0f s\n", name, i + 1, n, j, u, per, per * (total - done)).utf8))
        }
        try report.write(to: out)
        for s in report.summary {
            log("[\(name)] \(s.kind): first step with top-1 = target over \(s.imagesWithTarget) image(s)"
                + (s.firstCorrectMedian.map { String(format: ", median %.1f", $0) } ?? ""))
        }
    }

    /// The demo's prompts: captions and seeds of `count` rendered-world scenes (as `ldmprobe world render` lists in
    /// prompts.csv), without rendering them.
    static func writeWorldPrompts(count: Int, baseSeed: UInt64, to url: URL) throws {
        var csv = "prompts,seeds,prompt_inds\n"
        for (i, scene) in WorldDataset().scenes(count: count, baseSeed: baseSeed).enumerated() {
            let c = scene.caption
            let field = c.contains(",") || c.contains("\"") ? "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : c
            csv += "\(field),\(scene.seed),\(i)\n"
        }
        try AtomicFile.write(csv, to: url)
    }
}

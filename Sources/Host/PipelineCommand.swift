// `ldmprobe pipeline`: generate → label → probe → classify in one command, per sampler, through the same library
// calls as `generate`, `probe` and `classify-run`. Activations reach the probe study in-process, through the
// pipeline's ActivationConsumer API (InProcessStudy: streamed into one-pass probes, or held in memory / spilled
// to a temporary folder for probes that need several passes); the run folder stores them only when asked
// (--keep-activations). --from-disk is the stored path: activations written to the run folder, read back.
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
            Writes OUT/<sampler>/run (the run folder: images and manifest; activations only with \
            --keep-activations), OUT/<sampler>/study (metrics.csv, probes, report.html), \
            OUT/<sampler>/classification (with --classifier: per-step classification.csv of the x_t intermediates) \
            and OUT/index.html linking them. Each image is labelled once, in memory, from the decoded image \
            (--keep-labels: also OUT/<sampler>/labels/<name>/<id>.npy).
            Activations go to the probe study in-process as each image is generated. A one-pass probe \
            (linear:fit=lstsq) is streamed: each image's activations are added to every probe's sufficient \
            statistics and dropped (training images are generated first, then the test images are measured). \
            Other probes (fit=adam trains for epochs) get every image's activations kept in memory under \
            --memory-limit, else spilled to OUT/<sampler>/tmp-activations, removed at the end; stderr says which.
            --from-disk: the stored path instead (activations written to the run folder, labels to \
            OUT/<sampler>/labels, both read back by the study); an existing run folder with stored activations is \
            resumed that way (finished images are kept).
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

    @Option(help: "img2img: start every image from this PNG (width × height), encoded by the VAE and noised.")
    var initImage: String?

    @Option(help: "img2img: fraction of the schedule to run from the noised --init-image, in (0, 1].")
    var strength: Double = 0.8

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

    @Flag(help: "Also store the activations in the run folder (as `generate` does; the study still streams).")
    var keepActivations = false

    @Flag(help: "Also store each label as OUT/<sampler>/labels/<name>/<id>.npy.")
    var keepLabels = false

    @Flag(help: "The stored path: activations to the run folder and labels to files, read back by the study.")
    var fromDisk = false

    @Option(help: ArgumentHelp("dtype of stored activations: f16 or f32 (default f16).", valueName: "dtype"))
    var activationDtype: String = "f16"

    @Option(help: ArgumentHelp("GiB of activations / probe statistics the in-process study may hold (default 4).",
                               valueName: "GiB"))
    var memoryLimit: Double = 4

    @Option(parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Intervene through each sampler's probes: `ldmprobe intervene` flags in one string, e.g. "
                               + "\"--shift-foreground 16,0 --eval-labeler world-foreground --count 16\" → "
                               + "OUT/<sampler>/intervene; repeatable (docs/intervention.md).", valueName: "flags"),
            transform: InterveneCommand.stageArguments)
    var intervene: [[String]] = []

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
        guard ["f16", "f32"].contains(activationDtype) else { throw ValidationError("--activation-dtype: use f16 or f32") }
        guard memoryLimit > 0 else { throw ValidationError("--memory-limit must be > 0") }
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
        let sd = try StableDiffusionModel(path: modelPath!, variant: .auto, tokenizerFolder: tokenizer,
                                          withEncoder: initImage != nil)
        let hash = try ModelFingerprint.hash(files: sd.weightFiles, root: sd.path)
        let settings = GenerationSettings(steps: steps, guidance: guidance, height: height, width: width,
                                          negativePrompt: "",
                                          initImage: initImage.map { URL(fileURLWithPath: $0) }, strength: strength)

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

            // 1. Generate. The probe study is fed in-process (streamed, or held in memory / spilled), or, with
            //    --from-disk (or resuming a run with stored activations), reads the run folder afterwards.
            var t0 = Date()
            let pipeline = try DiffusionPipeline(textEncoder: sd.textEncoder, unet: sd.unet, decoder: sd.decoder,
                                                 scalingFactor: sd.scalingFactor, sampler: samplerPlugin,
                                                 schedulerConfigJSON: sd.schedulerConfigJSON, settings: settings,
                                                 encoder: sd.encoder)
            let folder = RunFolder(base.appendingPathComponent("run"))
            let patterns = capture.isEmpty ? CaptureSelection.defaultPatterns : (capture == ["none"] ? [] : capture)
            let stored = try probesFromDisk(folder, name: name)
            let inProcess = stored ? nil : try inProcessStudy(
                pipeline: pipeline, patterns: patterns, jobs: jobs, labels: parsedLabels, registry: registry,
                probe: probePlugin, height: height, width: width, bootstrap: bootstrap, base: base, name: name)
            defer { inProcess?.cleanUp() }
            log("[\(name)] (\(k + 1)/\(samplers.count)) generate \(jobs.count) image(s), \(steps) steps → \(name)/run")
            var options = RunOptions(jobs: inProcess?.order(jobs) ?? jobs)
            options.capturePatterns = stored || keepActivations ? (capture.isEmpty ? nil : patterns) : []
            options.activationDType = activationDtype == "f32" ? .float32 : .float16
            options.saveIntermediates = classifierPlugin == nil ? "none" : "xt"
            options.resume = stored && folder.exists
            options.promptsFile = promptsPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            let params = Dictionary(samplerPlugin.parameters.values.map { ($0.name, $0.stringValue) },
                                    uniquingKeysWith: { a, _ in a })
            let run = try GenerationRun(
                pipeline: pipeline, folder: folder, options: options,
                model: .init(path: sd.path, weightsHash: hash.combined, files: hash.files),
                samplerName: samplerPlugin.info.name, samplerVersion: samplerPlugin.info.version,
                samplerParameters: params, vaeScalingFactor: Double(sd.scalingFactor))
            let reporter = ProgressReporter(totalImages: run.jobs.count, enabled: !quiet)
            let taps = inProcess.map { [$0.collector] } ?? []
            let manifest = try run.execute(ldmprobeVersion: LDMProbeVersion.string,
                                           pluginAbi: "\(LDMP_ABI_VERSION_MAJOR).\(LDMP_ABI_VERSION_MINOR)",
                                           consumers: taps, observers: taps, progress: reporter)
            let streamedSeconds = inProcess?.collector.seconds ?? 0  // labelling and probe work during generation
            seconds["generate"] = Date().timeIntervalSince(t0) - streamedSeconds

            // 2. Label + probe.
            t0 = Date()
            let rows = try inProcess?.finish(cellLog: cellLog(name))
                ?? storedStudy(folder: folder, labels: parsedLabels, registry: registry, probe: probePlugin,
                               height: height, width: width, bootstrap: bootstrap, base: base, name: name)
            seconds["probe"] = Date().timeIntervalSince(t0) + streamedSeconds

            // 3. Per-step classification of the x_t intermediates.
            if let classifierPlugin {
                t0 = Date()
                log("[\(name)] classify x_t intermediates → \(name)/classification")
                try classify(manifest: manifest, folder: folder, classifier: classifierPlugin,
                             out: base.appendingPathComponent("classification"), name: name)
                seconds["classify"] = Date().timeIntervalSince(t0)
            }
            // 4. Interventions through this sampler's probes (InterveneCommand.stage).
            for (i, flags) in intervene.enumerated() {
                t0 = Date()
                let report = try InterveneCommand.stage(flags, index: i, model: sd, modelPath: modelPath!, tokenizer: tokenizer,
                                                        sampler: spec, settings: settings, prompts: promptsPath, count: count,
                                                        prompt: prompt, seed: seed, base: base, registry: registry)
                log("[\(name)] intervene → \(report.path)")
                seconds["intervene"] = (seconds["intervene"] ?? 0) + Date().timeIntervalSince(t0)
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

    /// Whether the study reads a stored run: --from-disk, or an existing run folder with stored activations
    /// (resumed). An existing run folder without them cannot be resumed by the in-process study.
    func probesFromDisk(_ folder: RunFolder, name: String) throws -> Bool {
        if fromDisk { return true }
        guard folder.exists else { return false }
        if FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("activations").path) {
            log("[\(name)] \(folder.url.path) holds a run with stored activations: resuming it, probing from disk")
            return true
        }
        throw PipelineError.runFolder(path: folder.url.path, reason: "already holds a run without stored activations, "
            + "and the in-process study needs every image generated by this command (hint: remove it or choose another --out)")
    }

    func studyOptions(split: DataSplit, height: Int, width: Int, bootstrap: Int) -> ProbeStudyOptions {
        var o = ProbeStudyOptions(split: split, labelHeight: height, labelWidth: width)
        o.bootstrapResamples = bootstrap
        return o
    }

    /// The probe study fed during generation (streamed, in memory or spilled, as InProcessStudy.chooseMode says).
    func inProcessStudy(pipeline: DiffusionPipeline, patterns: [String], jobs: [ImageJob],
                        labels: [(name: String, spec: String, source: String)], registry: PluginRegistry,
                        probe: ProbePlugin, height: Int, width: Int, bootstrap: Int, base: URL,
                        name: String) throws -> InProcessStudy {
        let selected = try CaptureSelection(patterns: patterns, available: pipeline.capturePoints).points
        guard !selected.isEmpty else {
            throw ValidationError("--capture none: nothing to probe (the study needs activations)")
        }
        let order = RunActivations.unetOrder(selected.map(\.path))  // the layer order of a stored run's study
        let points = order.map { p in selected.first { $0.path == p }! }
        let calls = try pipeline.plan().calls
        let split = try DataSplit.parse(self.split ?? "fraction:0.4:0", ids: jobs.map(\.id).sorted())
        let options = studyOptions(split: split, height: height, width: width, bootstrap: bootstrap)
        let properties = try labels.map {
            StudyProperty(name: $0.name, labeler: try registry.labeler(spec: $0.spec).instantiate(source: $0.source))
        }
        let say: (String) -> Void = { self.log("[\(name)] " + $0) }
        let mode = InProcessStudy.chooseMode(probe: probe, points: points, calls: calls, images: jobs.count,
                                             properties: properties.count, options: options,
                                             limit: Int(memoryLimit * 1_073_741_824), log: say)
        say("probe: \(jobs.count) images (\(split.train.count) train, \(split.test.count) test), \(points.count) "
            + "layers, properties " + properties.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ")
            + " → \(name)/study")
        return try InProcessStudy(mode: mode, points: points, calls: calls, properties: properties, probe: probe,
                                  options: options, out: base.appendingPathComponent("study"), runFolder: base
                                      .appendingPathComponent("run"), spillFolder: base
                                      .appendingPathComponent("tmp-activations"),
                                  labelsFolder: keepLabels ? base.appendingPathComponent("labels") : nil, log: say)
    }

    /// The stored path: labels written to <sampler>/labels/<name>/<id>.npy from the run's images (read back by
    /// `generic`), then the study over the run folder's activations.
    func storedStudy(folder: RunFolder, labels: [(name: String, spec: String, source: String)],
                     registry: PluginRegistry, probe: ProbePlugin, height: Int, width: Int, bootstrap: Int,
                     base: URL, name: String) throws -> [MetricRow] {
        let runs = try RunActivations(run: folder.url)
        var properties: [StudyProperty] = []
        for l in labels {
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
        log("[\(name)] probe: \(runs.ids.count) images (\(splitValue.train.count) train, \(splitValue.test.count) "
            + "test), \(runs.layers.count) layers, properties "
            + properties.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ") + " → \(name)/study")
        let study = ProbeStudy(run: runs, properties: properties, probe: probe,
                               options: studyOptions(split: splitValue, height: height, width: width, bootstrap: bootstrap),
                               out: base.appendingPathComponent("study"), controlRun: nil)
        return try study.run(log: cellLog(name))
    }

    /// The study's log lines, per-cell ones at most every 5 s.
    func cellLog(_ name: String) -> (String) -> Void {
        var lastCell = Date.distantPast
        return { line in
            if line.contains("/cell") {
                guard Date().timeIntervalSince(lastCell) > 5 else { return }
                lastCell = Date()
            }
            self.log("[\(name)] " + line)
        }
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

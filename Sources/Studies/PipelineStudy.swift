// `pipeline`: per sampler, generate → label → probe → classify, through one model load. The probe study is fed
// in-process as images are generated (InProcessStudy: stream, memory or spill), or with `fromDisk` (or resuming
// a run with stored activations) reads the run folder afterwards (StoredRunStudy). Per-step classification
// classifies x_t as the pipeline decodes it (StepClassifier). The permuted-weights control repeats the
// generation and study with a permuted UNet (PermutedControl).
import FileFormats
import Foundation
import Pipeline
import PluginHost
import Study

public final class PipelineStudy {
    public let config: PipelineConfig
    public let registry: PluginRegistry
    /// The word-map plugin of the `<property>:wordmap` rows (wordmap.h): a name or library path with settings.
    public var wordMapSpec = "daam"
    public let model: LoadedModel
    let log: (String) -> Void
    let progress: Bool

    /// Loads the model. `log` gets one line per stage; `progress` turns on per-step progress on stderr.
    public init(config: PipelineConfig, registry: PluginRegistry, progress: Bool = true,
                log: @escaping (String) -> Void) throws {
        var config = config
        if config.permutedControlSeed != nil && !config.study.keepLabels {
            log("--control permuted reads the main study's labels: keeping them")
            config.study.keepLabels = true
        }
        self.config = config
        self.registry = registry
        self.log = log
        self.progress = progress
        log("loading \(config.generation.model)")
        model = try LoadedModel(config.generation)
    }

    /// One sampler's outcome.
    public struct SamplerResult {
        public var entry: PipelineIndexEntry
        public var base: URL
        public var study: StudyOutcome
        public var classification: StepClassificationReport?
    }

    /// Every sampler in turn; `afterSampler` runs stages that need the sampler's study (interventions) and
    /// returns their seconds. OUT/index.html is rewritten after each sampler.
    public func run(afterSampler: (String, URL, LoadedModel) throws -> Double = { _, _, _ in 0 }) throws -> [SamplerResult] {
        try AtomicFile.createFolder(config.out)
        var results: [SamplerResult] = []
        var usedNames: Set<String> = []
        for (k, spec) in config.samplers.enumerated() {
            let sampler = try registry.sampler(spec: spec)
            var name = sampler.info.name.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
                .reduce(into: "") { $0.append($1) }
            if usedNames.contains(name) { name += "-\(k)" }
            usedNames.insert(name)
            let base = config.out.appendingPathComponent(name)
            log("[\(name)] (\(k + 1)/\(config.samplers.count)) \(config.jobs.count) image(s), "
                + "\(model.settings.steps) steps, \(model.settings.height)×\(model.settings.width) → \(name)/")
            var r = try runSampler(sampler, model: model, base: base, name: name, classify: true)
            if let seed = config.permutedControlSeed {
                let t0 = Date()
                try PermutedControl(study: self, seed: seed).run(spec: spec, main: &r, name: name)
                r.entry.seconds["control"] = Date().timeIntervalSince(t0)
            }
            let extra = try afterSampler(spec, base, model)
            if extra > 0 { r.entry.seconds["intervene"] = extra }
            results.append(r)
            try PipelineIndex.write(results.map(\.entry), commandLine: CommandLine.arguments.joined(separator: " "),
                                    to: config.out)
        }
        return results
    }

    /// Generates with `sampler` on `model` into base/run and probes into base/study.
    func runSampler(_ sampler: SamplerPlugin, model: LoadedModel, base: URL, name: String, classify: Bool,
                    studyConfig: StudyConfig? = nil) throws -> SamplerResult {
        try AtomicFile.createFolder(base)
        let study = studyConfig ?? config.study
        let say: (String) -> Void = { self.log("[\(name)] " + $0) }
        var seconds: [String: Double] = [:]
        var t0 = Date()
        let pipeline = try model.pipeline(sampler)
        let folder = RunFolder(base.appendingPathComponent("run"))
        let stored = try readsStoredRun(folder, say: say)
        let inProcess = stored ? nil : try inProcessStudy(pipeline, study: study, base: base, say: say)
        defer { inProcess?.cleanUp() }
        let classifier = try classify ? stepClassifier() : nil
        var options = RunOptions(jobs: inProcess?.order(config.jobs) ?? config.jobs)
        options.capturePatterns = stored || config.keepActivations ? config.capturePatterns : []
        options.activationDType = config.activationDType
        options.resume = stored && folder.exists
        options.promptsFile = config.promptsFile
        let run = try model.run(pipeline, sampler: sampler, folder: folder, options: options)
        let reporter = ProgressReporter(totalImages: run.jobs.count, enabled: progress)
        // Word maps beside the main study only (a control run's rows would not be kept).
        let wordMaps = classify ? try inProcess.flatMap { try wordMapStudy($0, targets: classifier?.targets, say: say) } : nil
        let taps: [ActivationConsumer & StepObserver] = (inProcess.map { [$0.collector] } ?? [])
            + (wordMaps.map { w -> [ActivationConsumer & StepObserver] in [w.collector] } ?? [])
        let observers: [StepObserver] = taps + (classifier.map { [$0] } ?? [])
        let manifest = try run.execute(ldmprobeVersion: LDMProbeVersion.string, pluginAbi: LDMProbeVersion.pluginABI,
                                       consumers: taps, observers: observers, progress: reporter)
        reporter.close()
        let streamed = inProcess?.collector.seconds ?? 0  // labelling and probe work during generation
        seconds["generate"] = Date().timeIntervalSince(t0) - streamed - (classifier?.seconds ?? 0)

        t0 = Date()
        let studyFolder = base.appendingPathComponent("study")
        var outcome: StudyOutcome
        if let inProcess {
            outcome = try inProcess.finish(cellLog: cellLog(say))
            let activations = inProcess.mode == .stream || !config.keepActivations
                ? "in-process (\(inProcess.mode.rawValue))" : folder.url.appendingPathComponent("activations").path
            try StudyRecord(run: folder.url, activations: activations, config: study, probe: inProcess.probe.specText,
                            options: inProcess.options, layers: inProcess.collector.points.map(\.path),
                            calls: inProcess.options.steps ?? Array(0..<inProcess.collector.calls)).write(to: studyFolder)
            if let wordMaps, let rows = try wordMaps.finish(study: studyFolder, runFolder: folder.url, seed: study.seed,
                                                            resamples: study.bootstrap) {
                outcome.rows = rows
                say("word maps: the object word's DAAM map scored on \(wordMaps.scored) test image(s) as "
                    + "\(wordMaps.property):\(WordMapStudy.control) rows")
            }
        } else {
            outcome = try StoredRunStudy(run: folder.url, config: study, out: studyFolder).execute(registry: registry,
                                                                                               log: cellLog(say))
            if classify, let rows = try storedWordMaps(outcome, targets: classifier?.targets, study: study,
                                                       folder: folder, studyFolder: studyFolder, say: say) {
                outcome.rows = rows
            }
        }
        seconds["probe"] = Date().timeIntervalSince(t0) + streamed
        var report: StepClassificationReport?
        if let classifier {
            report = classifier.report()
            try report!.write(to: base.appendingPathComponent("classification"))
            seconds["classify"] = classifier.seconds
            for s in report!.summary {
                say("\(s.kind): first step with top-1 = target over \(s.imagesWithTarget) image(s)"
                    + (s.firstCorrectMedian.map { String(format: ", median %.1f", $0) } ?? ""))
            }
        }
        let entry = PipelineIndexEntry(sampler: name, images: manifest.images.filter { $0.status == .done }.count,
                                       calls: manifest.settings.calls, metricRows: outcome.rows.count, seconds: seconds,
                                       hasClassification: classifier != nil)
        return SamplerResult(entry: entry, base: base, study: outcome, classification: report)
    }

    /// Per-step classification of x_t with config.classifier (nil: none).
    func stepClassifier() throws -> StepClassifier? {
        try config.classifier.map { spec -> StepClassifier in
            let instance = try registry.classifier(spec: spec).instantiate()
            let targets = try ClassificationTargets(target: config.target, tableFile: nil, labels: instance.classNames)
            return StepClassifier(classifier: instance, targets: targets)
        }
    }

    /// Whether the study reads a stored run: `fromDisk`, or an existing run folder with stored activations
    /// (resumed). An existing run folder without them cannot be resumed by the in-process study.
    func readsStoredRun(_ folder: RunFolder, say: (String) -> Void) throws -> Bool {
        if config.fromDisk { return true }
        guard folder.exists else { return false }
        if FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("activations").path) {
            say("\(folder.url.path) holds a run with stored activations: resuming it, probing from disk")
            return true
        }
        throw PipelineError.runFolder(path: folder.url.path, reason: "already holds a run without stored activations, "
            + "and the in-process study needs every image generated by this command (hint: remove it, --overwrite, "
            + "or choose another --out)")
    }

    /// What the in-process study probes: the capture points in study (UNet) order, the UNet calls, the study
    /// options, the probe and the properties (shared with the sharded study, ShardedStudy).
    struct StudyInputs {
        var points: [CapturePoint]
        var calls: Int
        var options: ProbeStudyOptions
        var probe: ProbePlugin
        var properties: [StudyProperty]
    }

    func studyInputs(_ pipeline: DiffusionPipeline, study: StudyConfig) throws -> StudyInputs {
        // Attention probabilities are the word maps\' input, not probed feature maps.
        let selected = try CaptureSelection(patterns: config.capturePatterns, available: pipeline.capturePoints).points
            .filter { !$0.isAttentionProbabilities }
        guard !selected.isEmpty else {
            throw StudiesError.option(flag: "capture", value: config.capture.joined(separator: ","),
                                      reason: "selects nothing to probe (the study needs activations)")
        }
        let order = RunActivations.unetOrder(selected.map(\.path))  // the layer order of a stored run's study
        let all = order.compactMap { p in selected.first { $0.path == p } }
        let probed = try study.layers.map { try LayerPatterns.expand($0, available: all.map(\.path)) }
        let points = probed.map { names in all.filter { names.contains($0.path) } } ?? all
        let calls = try pipeline.plan().calls
        let h = study.labelHeight ?? model.settings.height, w = study.labelWidth ?? model.settings.width
        var options = try study.options(ids: config.jobs.map(\.id).sorted(), layers: points.map(\.path), calls: calls,
                                        height: h, width: w)
        options.layers = nil  // the points are already the probed layers
        return StudyInputs(points: points, calls: calls, options: options, probe: try registry.probe(spec: study.probe),
                           properties: try study.properties(registry))
    }

    /// The probe study fed during generation (streamed, in memory or spilled, as InProcessStudy.chooseMode says).
    func inProcessStudy(_ pipeline: DiffusionPipeline, study: StudyConfig, base: URL,
                        say: @escaping (String) -> Void) throws -> InProcessStudy {
        let s = try studyInputs(pipeline, study: study)
        let (points, calls, options, probe, properties) = (s.points, s.calls, s.options, s.probe, s.properties)
        let mode = InProcessStudy.chooseMode(probe: probe, points: points, calls: calls, images: config.jobs.count,
                                             properties: properties.count, options: options, limit: config.memoryLimit,
                                             log: say)
        say("probe: \(config.jobs.count) images (\(options.split.train.count) train, \(options.split.test.count) test), "
            + "\(points.count) layers, properties "
            + properties.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", "))
        let studyFolder = base.appendingPathComponent("study")
        return try InProcessStudy(mode: mode, points: points, calls: calls, properties: properties, probe: probe,
                                  options: options, out: studyFolder, runFolder: base.appendingPathComponent("run"),
                                  spillFolder: base.appendingPathComponent(
                                      ".ldmprobe-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0 ... .max))-activations.tmp"),
                                  labelsFolder: study.keepLabels ? studyFolder.appendingPathComponent("labels") : nil,
                                  log: say)
    }

    /// The object word's map against the foreground label (needs a classifier's class names for the object word).
    func wordMapStudy(_ inProcess: InProcessStudy, targets: ClassificationTargets?,
                      say: (String) -> Void) throws -> WordMapStudy? {
        guard let targets, let study = try WordMapStudy(properties: inProcess.properties.map { ($0.name, $0.kind) },
                                                        options: inProcess.options, targets: targets,
                                                        tokenizer: model.sd.textEncoder.tokenizer,
                                                        wordMap: try registry.wordMap(spec: wordMapSpec)) else {
            say("word maps: off (they need a binary property and --classifier's class names for the object word)")
            return nil
        }
        inProcess.collector.labelObserver = { [unowned study] id, labels in study.labelsDone(id: id, labels: labels) }
        return study
    }

    /// The word-map rows of a stored run: from its stored `…attn2.probs` captures (`--capture '*attn2.probs'`)
    /// and the study's kept labels; nil (and a log line) when either is missing.
    func storedWordMaps(_ outcome: StudyOutcome, targets: ClassificationTargets?, study: StudyConfig, folder: RunFolder,
                        studyFolder: URL, say: (String) -> Void) throws -> [MetricRow]? {
        let labels = studyFolder.appendingPathComponent("labels")
        let captured = config.capturePatterns.contains { $0.contains("probs") }
        guard let targets, captured, study.keepLabels, let first = outcome.split.test.first,
              let property = outcome.properties.first(where: { $0.1 == .binary })?.0,
              let label = try? NpyArray.read(labels.appendingPathComponent(property).appendingPathComponent(first + ".npy")),
              label.shape.count == 2 else {
            say("word maps: off for a stored run unless it holds `*attn2.probs` captures, kept labels and a classifier")
            return nil
        }
        let options = ProbeStudyOptions(split: outcome.split, labelHeight: label.shape[0], labelWidth: label.shape[1])
        guard let words = try WordMapStudy(properties: outcome.properties.map { ($0.0, $0.1) }, options: options,
                                           targets: targets, tokenizer: model.sd.textEncoder.tokenizer,
                                           wordMap: try registry.wordMap(spec: wordMapSpec)) else { return nil }
        let n = try words.scoreStored(run: folder.url, jobs: config.jobs, labels: labels,
                                      latentHeight: model.settings.height / 8, latentWidth: model.settings.width / 8)
        say("word maps: the object word's DAAM map scored on \(n) stored test image(s)")
        return try words.finish(study: studyFolder, runFolder: folder.url, seed: study.seed, resamples: study.bootstrap)
    }

    /// The study's log lines, per-cell ones at most every 5 s.
    func cellLog(_ say: @escaping (String) -> Void) -> (String) -> Void {
        var lastCell = Date.distantPast
        return { line in
            if line.contains("/cell") {
                guard Date().timeIntervalSince(lastCell) > 5 else { return }
                lastCell = Date()
            }
            say(line)
        }
    }
}

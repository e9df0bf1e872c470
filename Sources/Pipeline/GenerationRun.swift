// A whole `ldmprobe generate` run over a list of images: selects the shard, resolves the capture set, writes or
// resumes the run folder's manifest, and generates every image not yet done, in input order.
//
// Resume rule: an image is skipped only when the manifest says "done" and its PNG exists. Anything else is redone
// from scratch: its old outputs are removed first, its files are written under temporary names, and "done" is
// written to the manifest last. So an interrupted run never leaves an image looking complete.
import FileFormats
import Foundation
import PluginHost

/// Options of a run that are not generation settings.
public struct RunOptions {
    /// Every image of the input (before sharding).
    public var jobs: [ImageJob]
    public var shard: ShardSpec = .all
    /// --capture patterns; nil → the default (every self-attention output).
    public var capturePatterns: [String]? = nil
    public var branches: BranchSelection = .cond
    public var activationDType: NpyDType = .float16
    public var saveLatents = false
    /// "none", "xt", "x0" or "both".
    public var saveIntermediates = "none"
    public var resume = false
    public var promptsFile: String? = nil

    public init(jobs: [ImageJob]) { self.jobs = jobs }
}

/// Drives a DiffusionPipeline over a run's images into a run folder.
public final class GenerationRun {
    public let pipeline: DiffusionPipeline
    public let folder: RunFolder
    public let options: RunOptions
    public private(set) var settings: RunSettings
    public let capture: CaptureSelection
    /// This shard's images, in input order.
    public let jobs: [ImageJob]
    public private(set) var writer: RunFolderWriter?

    /// Resolves everything that can fail before the first UNet call: capture patterns, branch choice, sampler plan.
    public init(pipeline: DiffusionPipeline, folder: RunFolder, options: RunOptions, model: RunSettings.Model,
                samplerName: String, samplerVersion: String, samplerParameters: [String: String],
                vaeScalingFactor: Double) throws {
        self.pipeline = pipeline
        self.folder = folder
        self.options = options
        let g = pipeline.settings
        if !g.usesGuidance && options.branches != .cond {
            throw PipelineError.invalidOption(option: "--capture-branch",
                reason: "\(options.branches.rawValue) needs guidance > 1 (at \(g.guidance) only the conditional branch is computed)")
        }
        guard ["none", "xt", "x0", "both"].contains(options.saveIntermediates) else {
            throw PipelineError.invalidOption(option: "--save-intermediates",
                                              reason: "'\(options.saveIntermediates)': use xt, x0 or both")
        }
        guard options.activationDType == .float16 || options.activationDType == .float32 else {
            throw PipelineError.invalidOption(option: "--activation-dtype", reason: "use f16 or f32")
        }
        let ids = options.jobs.map(\.id)
        if let dup = Dictionary(grouping: ids, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw PipelineError.input(path: options.promptsFile ?? "<prompts>",
                                      reason: "image id \(dup) appears twice (same prompt_ind and seed)")
        }
        jobs = options.shard.select(options.jobs)
        capture = try CaptureSelection(patterns: options.capturePatterns ?? CaptureSelection.defaultPatterns,
                                       available: pipeline.capturePoints)
        let plan = try pipeline.plan()
        let usesFile = options.jobs.contains { if case .file = $0.noise { return true }; return false }
        settings = RunSettings(
            model: model,
            sampler: .init(name: samplerName, version: samplerVersion, parameters: samplerParameters,
                           schedulerConfig: pipeline.schedulerConfigJSON),
            steps: g.steps, calls: plan.calls, timesteps: plan.timesteps, initNoiseSigma: plan.initNoiseSigma,
            guidance: g.guidance, negativePrompt: g.negativePrompt, height: g.height, width: g.width,
            latentShape: pipeline.latentShape, vaeScalingFactor: vaeScalingFactor,
            rng: usesFile ? "file: unscaled standard normal from --init-noise"
                          : "torch.manual_seed(seed); torch.randn(\(pipeline.latentShape)) (CPU, float32)",
            capture: .init(patterns: options.capturePatterns ?? CaptureSelection.defaultPatterns,
                           layers: capture.points.map { .init(path: $0.path, shape: $0.featureShape) },
                           branch: options.branches, dtype: options.activationDType == .float16 ? "f16" : "f32"),
            saveLatents: options.saveLatents, saveIntermediates: options.saveIntermediates)
        if let url = g.initImage {
            settings.initImage = url.standardizedFileURL.path
            settings.strength = g.strength
            settings.rng = "img2img: torch.manual_seed(seed); latent_dist.sample, then torch.randn(\(pipeline.latentShape)) for add_noise (CPU, float32)"
        }
    }

    /// The manifest to start from: a fresh one, or (with resume) the folder's own after checking it matches.
    func startingManifest(ldmprobeVersion: String, pluginAbi: String) throws -> RunManifest {
        let fresh = RunManifest(ldmprobeVersion: ldmprobeVersion, pluginAbi: pluginAbi, settings: settings,
                                shards: [options.shard.description], promptsFile: options.promptsFile,
                                images: jobs.map(ImageRecord.init(job:)))
        guard folder.exists else { return fresh }
        var old = try folder.readManifest()
        let done = old.images.filter { $0.status == .done }.count
        guard options.resume else {
            throw PipelineError.runFolder(path: folder.url.path,
                reason: "already holds a run (\(done) of \(old.images.count) images done); pass --resume to continue it or choose another --out")
        }
        var mine = settings
        if mine.model.weightsHash == old.settings.model.weightsHash { mine.model.path = old.settings.model.path }
        let diffs = RunManifest.differences(old.settings, mine)
        guard diffs.isEmpty else {
            throw PipelineError.runFolder(path: folder.url.path,
                reason: "--resume with different settings (\(diffs.joined(separator: ", "))); use the original options or another --out")
        }
        guard old.shards == [options.shard.description] else {
            throw PipelineError.runFolder(path: folder.url.path,
                reason: "--resume of shard \(options.shard) into a folder of shard(s) \(old.shards.joined(separator: ", "))")
        }
        let known = Set(old.images.map(\.id))
        old.images += jobs.filter { !known.contains($0.id) }.map(ImageRecord.init(job:))
        old.ldmprobeVersion = ldmprobeVersion
        return old
    }

    /// Generates every image of this shard that is not done. Returns the final manifest.
    @discardableResult
    public func execute(ldmprobeVersion: String, pluginAbi: String, consumers: [ActivationConsumer] = [],
                        observers: [StepObserver] = [], progress: ProgressReporter? = nil) throws -> RunManifest {
        let manifest = try startingManifest(ldmprobeVersion: ldmprobeVersion, pluginAbi: pluginAbi)
        try AtomicFile.createFolder(folder.url)
        folder.removeTemporaries()
        let writer = RunFolderWriter(folder: folder, manifest: manifest, capture: capture, branches: options.branches,
                                     dtype: options.activationDType, saveLatents: options.saveLatents,
                                     saveIntermediates: options.saveIntermediates)
        self.writer = writer
        try writer.writeManifest()
        pipeline.subscribe(writer as ActivationConsumer)
        pipeline.subscribe(writer as StepObserver)
        for c in consumers { pipeline.subscribe(c) }
        for o in observers { pipeline.subscribe(o) }
        pipeline.prepare()
        pipeline.progress = progress

        let status = Dictionary(manifest.images.map { ($0.id, $0.status) }, uniquingKeysWith: { a, _ in a })
        let todo = jobs.filter { job in
            !(status[job.id] == .done && FileManager.default.fileExists(atPath: folder.imageURL(job.id).path))
        }
        progress?.totalImages = todo.count
        if todo.count < jobs.count {
            progress?.note("resume: \(jobs.count - todo.count) of \(jobs.count) images already done, \(todo.count) to go")
        }
        for (k, job) in todo.enumerated() {
            try pipeline.generate(job, index: k, total: todo.count)
        }
        return writer.manifest
    }
}

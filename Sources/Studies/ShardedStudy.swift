// The streaming probe study as map and reduce (`ldmprobe study`): train-map K/N adds its share of the training
// images to the probes' statistics and writes them (STUDY/train/shard-K-of-N.safetensors); solve sums every
// shard's statistics and fits (STUDY/solve.safetensors); test-map K/N measures its share of the test images with
// the fitted probes (STUDY/test/shard-K-of-N.safetensors); report merges them into STUDY/study as `pipeline`
// writes OUT/<sampler>/study. No activation is stored. See docs/study.md, "Map and reduce".
//
// Shards: training images are cut into N contiguous blocks of StreamingProbeStudy.generationOrder, the control
// derangement's cycle backwards, so each image's shuffled-control label is the previous image's: inside a block
// it is at hand, and the block's first image needs one label from outside — the map task generates that one
// partner image first, for its label only (one extra image per shard). Test images: N blocks of split order.
// Every map task checkpoints (statistics + covered images + the label the next image needs) after each image
// into *.partial.safetensors; a re-run continues from there and a complete shard is a no-op.
import FileFormats
import Foundation
import Pipeline
import PluginHost
import Study

public final class ShardedStudy {
    public let folder: URL
    let base: PipelineStudy
    let sampler: SamplerPlugin
    let inputs: PipelineStudy.StudyInputs
    let arguments: [String]
    let progress: Bool
    let log: (String) -> Void
    /// key → value lines that every stage must share (the images, sampling, capture and study settings).
    public let spec: [String: String]

    /// Loads the model. `arguments`: the stage's flags (without --shard and --out), recorded so that solve and
    /// report rebuild the same study. One sampler only.
    public init(config: PipelineConfig, arguments: [String], registry: PluginRegistry, progress: Bool = true,
                log: @escaping (String) -> Void) throws {
        guard config.samplers.count == 1 else {
            throw StudiesError.option(flag: "sampler", value: config.samplers.joined(separator: ","),
                                      reason: "a sharded study runs one sampler (hint: one STUDY folder per sampler)")
        }
        var config = config
        config.permutedControlSeed = nil
        folder = config.out
        self.arguments = arguments
        self.progress = progress
        self.log = log
        base = try PipelineStudy(config: config, registry: registry, progress: progress, log: log)
        sampler = try registry.sampler(spec: config.samplers[0])
        inputs = try base.studyInputs(try base.model.pipeline(sampler), study: config.study)
        guard inputs.probe.isOnePass, inputs.probe.supportsState else {
            throw StudiesError.option(flag: "probe", value: config.study.probe,
                reason: "a sharded study needs a one-pass probe that exports its statistics (probe.h export_state, ABI 1.2; hint: linear:fit=lstsq)")
        }
        spec = try Self.spec(config, base.model, sampler, inputs)
    }

    static func spec(_ c: PipelineConfig, _ m: LoadedModel, _ s: SamplerPlugin,
                     _ i: PipelineStudy.StudyInputs) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var study = c.study
        study.bootstrap = 0  // the report's own setting, not the statistics'
        let images = c.jobs.map { "\($0.id)\t\($0.prompt)\t\($0.noise)" }.joined(separator: "\n")
        return ["sampler": c.samplers[0] + " " + s.info.version, "steps": "\(m.settings.steps)",
                "guidance": "\(m.settings.guidance)", "size": "\(m.settings.height)x\(m.settings.width)",
                "negative-prompt": m.settings.negativePrompt, "capture": c.capturePatterns.joined(separator: ","),
                "study": String(decoding: try encoder.encode(study), as: UTF8.self),
                "layers": i.points.map(\.path).joined(separator: ","), "calls": "\(i.calls)",
                "images": "\(c.jobs.count) " + SHA256.hex(Data(images.utf8))]
    }

    var studyOut: URL { folder.appendingPathComponent("study") }
    var options: ProbeStudyOptions { inputs.options }

    /// A fresh streaming study over this study's probes (every probe created, nothing added).
    func makeStudy() throws -> StreamingProbeStudy {
        try StreamingProbeStudy(layers: inputs.points.map { (name: $0.path, shape: [inputs.calls] + $0.featureShape) },
                                properties: inputs.properties, probe: inputs.probe, options: options, out: studyOut,
                                log: log)
    }

    /// The training images in generation order (each one's control label is the previous one's).
    var trainOrder: [String] {
        Array(StreamingProbeStudy.generationOrder(split: options.split, seed: options.seed).prefix(options.split.train.count))
    }

    /// Generates `ids` (in this order) into `runFolder` (replaced: only this task writes it) and hands each
    /// image's activations and labels to `handler`.
    func generate(_ ids: [String], runFolder: URL,
                  handler: @escaping (String, [String: [Float]], [[Float]]) throws -> Void) throws {
        guard !ids.isEmpty else { return }
        if FileManager.default.fileExists(atPath: runFolder.path) { try FileManager.default.removeItem(at: runFolder) }
        let jobs = Dictionary(base.config.jobs.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let collector = ImageActivationCollector(
            points: inputs.points, calls: inputs.calls, properties: inputs.properties, labelHeight: options.labelHeight,
            labelWidth: options.labelWidth,
            labelsFolder: base.config.study.keepLabels ? studyOut.appendingPathComponent("labels") : nil, handler: handler)
        var runOptions = RunOptions(jobs: ids.compactMap { jobs[$0] })
        runOptions.capturePatterns = []
        runOptions.promptsFile = base.config.promptsFile
        let run = try base.model.run(try base.model.pipeline(sampler), sampler: sampler, folder: RunFolder(runFolder),
                                     options: runOptions)
        let reporter = ProgressReporter(totalImages: run.jobs.count, enabled: progress)
        defer { reporter.close() }
        _ = try run.execute(ldmprobeVersion: LDMProbeVersion.string, pluginAbi: LDMProbeVersion.pluginABI,
                            consumers: [collector], observers: [collector], progress: reporter)
    }

    /// Metadata every file of this study carries.
    func metadata(stage: String, shard: String, images: [String], complete: Bool) -> [String: String] {
        var m = ["format": "ldmprobe-study 1", "stage": stage, "shard": shard, "images": StudyShardFile.list(images),
                 "complete": complete ? "true" : "false", "weights_hash": base.model.hash.combined,
                 "ldmprobe_version": LDMProbeVersion.string, "arguments": StudyShardFile.list(arguments)]
        for (k, v) in spec { m["spec." + k] = v }
        return m
    }

    /// Refuses a file made from other images, settings or model weights, naming the first difference.
    func check(_ f: StudyShardFile, _ url: URL) throws {
        guard f.metadata["format"] == "ldmprobe-study 1" else {
            throw StudiesError.folder(path: url.path, reason: "not a file of `ldmprobe study` (no format ldmprobe-study 1)")
        }
        if f.metadata["weights_hash"] != base.model.hash.combined {
            throw StudiesError.folder(path: url.path, reason: "made with other model weights (hash \(f.metadata["weights_hash"] ?? "none"), this model \(base.model.hash.combined); hint: the same --model for every stage)")
        }
        for k in spec.keys.sorted() where f.metadata["spec." + k] != spec[k] {
            throw StudiesError.folder(path: url.path, reason: "made with another \(k) ('\(f.metadata["spec." + k] ?? "none")', this stage: '\(spec[k] ?? "")'; hint: the same flags for every stage, or another --out)")
        }
    }

    /// The file names of shard K/N of a stage.
    static func names(_ shard: ShardSpec) -> (done: String, partial: String, run: String) {
        let n = "shard-\(shard.index)-of-\(shard.count)"
        return (n + ".safetensors", n + ".partial.safetensors", n + ".run")
    }

    /// Exits a map task early after `stopAfter` images (LDMPROBE_STOP_AFTER_IMAGES: tests of resumption).
    static func stop(after added: Int, _ stopAfter: Int?, _ checkpoint: URL) throws {
        guard let stopAfter, added >= stopAfter else { return }
        throw StudiesError.folder(path: checkpoint.path, reason: "stopped after \(added) image(s) as LDMPROBE_STOP_AFTER_IMAGES asks (a test hook); re-run to continue")
    }
}

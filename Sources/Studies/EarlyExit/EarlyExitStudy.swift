// `ldmprobe early-exit`: per prompt and seed, the full run once (its latents and x̂0 predictions kept), then each
// policy × K branched from the full run's latent after K calls (stop costs no call; stride continues from there),
// each final image measured against the full image (EarlyExitRow), then the tables, charts and page
// (EarlyExitReport).
import FileFormats
import Foundation
import Pipeline
import PluginHost
import Study

public final class EarlyExitStudy {
    public let config: EarlyExitConfig
    let model: LoadedModel
    let sampler: SamplerPlugin
    let classifier: ClassifierInstance?
    let labelers: [(property: String, instance: LabelerInstance)]
    let perceptual: PerceptualDistance

    public init(_ config: EarlyExitConfig, model: LoadedModel, sampler: SamplerPlugin,
                registry: PluginRegistry) throws {
        guard !config.after.isEmpty, config.after.allSatisfy({ $0 >= 0 }) else {
            throw StudiesError.option(flag: "after", value: config.after.map(String.init).joined(separator: ","),
                                      reason: "give call counts ≥ 0 (e.g. 0,2,3,5,8; 0 = stride from the start)")
        }
        guard !config.policies.isEmpty else {
            throw StudiesError.option(flag: "stride", value: "", reason: "no policy left (--no-stop without --stride)")
        }
        if let bad = config.strides.first(where: { $0 < 1 }) {
            throw StudiesError.option(flag: "stride", value: "\(bad)", reason: "strides are ≥ 1 (e.g. 2,3)")
        }
        if !config.strides.isEmpty, let why = StrideContinuation.refusal(sampler) {
            throw StudiesError.option(flag: "stride", value: config.strides.map(String.init).joined(separator: ","), reason: why)
        }
        if model.settings.initImage != nil {
            throw StudiesError.option(flag: "init-image", value: model.settings.initImage?.path ?? "",
                                      reason: "early exit compares text-to-image runs; drop --init-image")
        }
        self.config = config
        self.model = model
        self.sampler = sampler
        classifier = try config.classifier.map { try registry.classifier(spec: $0).instantiate() }
        labelers = try config.labels.map { spec in
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["foreground", "depth"].contains(parts[0]) else {
                throw StudiesError.option(flag: "label", value: spec,
                                          reason: "give foreground=SPEC or depth=SPEC (e.g. foreground=world-foreground)")
            }
            return (parts[0], try registry.labeler(spec: parts[1]).instantiate())
        }
        perceptual = try PerceptualDistance(weights: config.vggWeights)
    }

    /// Runs every job and writes the outputs into `out`; returns the rows.
    @discardableResult
    public func run(_ jobs: [ImageJob], out: URL, log: (String) -> Void) throws -> [EarlyExitRow] {
        let pipeline = try model.pipeline(sampler)
        let x0s = PredictionCollector()
        pipeline.subscribe(x0s)
        pipeline.prepare()
        let continuation = StrideContinuation(pipeline: pipeline)
        let planned = try pipeline.plan().calls
        if let k = config.after.first(where: { $0 > planned }) {
            throw StudiesError.option(flag: "after", value: "\(k)",
                                      reason: "the plan has \(planned) UNet calls; K must be 0…\(planned)")
        }
        var rows: [EarlyExitRow] = []
        let started = Date()
        for (index, job) in jobs.enumerated() {
            let full = try pipeline.generate(job, index: index, total: jobs.count)
            let n = full.context.calls, count = pipeline.latentShape.reduce(1, *)
            let reference = try Measured(full.image, self)
            try save(full.image, job.id, "full", out)
            let states = try pipeline.conditioning(for: job.prompt)
            for policy in config.policies {
                for k in config.after where !(policy == .stop && k == 0) {   // stop needs one x̂0
                    let latent: [Float]
                    let calls = policy.callsAfter(k, callCount: n)
                    if k == n {
                        latent = Array(full.latents[n * count ..< (n + 1) * count])
                    } else if policy == .stop {
                        guard let x0 = x0s.predictions[k - 1] else {
                            throw StudiesError.option(flag: "after", value: "\(k)",
                                reason: "sampler '\(sampler.name)' returned no x̂0 at call \(k - 1); the stop policy needs pred_original")
                        }
                        latent = x0
                    } else {
                        latent = try continuation.run(from: Array(full.latents[k * count ..< (k + 1) * count]),
                                                      calls: calls, states: states, image: job.id).latent
                    }
                    let image = k == n ? full.image : try pipeline.decode(latent, image: job.id)
                    try save(image, job.id, String(format: "%@_k%02d", policy.name, k), out)
                    rows.append(try row(job, policy, k, calls: k + calls.count, fullCalls: n, image, reference))
                }
            }
            let sec = Date().timeIntervalSince(started)
            log("image \(index + 1)/\(jobs.count) \(job.id): \(rows.count) comparisons, \(String(format: "%.1f", sec)) s")
        }
        try EarlyExitReport(config: config, rows: rows, sampler: sampler.name,
                            perceptualWeights: perceptual.weights).write(to: out)
        return rows
    }

    /// The measures of one image that comparisons need.
    struct Measured {
        let image: PNGImage
        let features: PerceptualDistance.Features
        let top1: String?
        let labels: [String: [Float]]

        init(_ image: PNGImage, _ study: EarlyExitStudy) throws {
            self.image = image
            features = try study.perceptual.features(image)
            if let c = study.classifier {
                let p = try c.classify(image: image.bytes, height: image.height, width: image.width)
                let best = p.indices.max { p[$0] < p[$1] } ?? 0
                top1 = c.className(best) ?? "class \(best)"
            } else {
                top1 = nil
            }
            var labels: [String: [Float]] = [:]
            for (property, labeler) in study.labelers {
                labels[property] = try labeler.load(imageID: "early-exit", height: image.height, width: image.width,
                                                    image: image.bytes, imageHeight: image.height, imageWidth: image.width)
            }
            self.labels = labels
        }
    }

    func row(_ job: ImageJob, _ policy: EarlyExitPolicy, _ k: Int, calls: Int, fullCalls: Int, _ image: PNGImage,
             _ reference: Measured) throws -> EarlyExitRow {
        let m = try Measured(image, self)
        var r = EarlyExitRow(id: job.id, prompt: job.prompt, policy: policy, after: k, calls: calls, fullCalls: fullCalls,
                             psnr: try PSNR.decibels(reference.image, image),
                             perceptual: PerceptualDistance.distance(reference.features, m.features),
                             top1Full: reference.top1, top1: m.top1)
        if let a = reference.labels["foreground"], let b = m.labels["foreground"] {
            r.foregroundDice = Metrics.dice(logits: [Float](repeating: 0.5, count: a.count) + b, label: a)
        }
        if let a = reference.labels["depth"], let b = m.labels["depth"] {
            r.depthSpearman = Metrics.spearman(a, b) ?? .nan
        }
        return r
    }

    private func save(_ image: PNGImage, _ id: String, _ name: String, _ out: URL) throws {
        guard config.saveImages else { return }
        let dir = out.appendingPathComponent("images").appendingPathComponent(id)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try image.write(to: dir.appendingPathComponent(name + ".png"))
    }
}

/// Keeps the x̂0 predicted at every call of the current image.
final class PredictionCollector: StepObserver {
    var predictions: [[Float]?] = []
    func imageWillStart(_ context: ImageContext) throws { predictions = [] }
    func stepDidFinish(_ step: StepEvent) throws { predictions.append(step.predictedOriginal) }
}

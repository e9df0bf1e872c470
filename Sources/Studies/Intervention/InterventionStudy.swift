// `intervene` (and `pipeline --intervene`): every image of a set through InterventionRunner, then the set's
// evaluation (bootstrap intervals, with a labeler) and its report.md / report.json.
import FileFormats
import Foundation
import Pipeline
import PluginHost

public struct InterventionConfig {
    public var target: InterventionOptions.Target
    /// Probe folder (`probe` output) or one .safetensors file; the property whose probes steer.
    public var probes: String
    public var property: String?
    public var probe = "linear"
    /// Layer patterns (nil: the up-block self-attention layers for masks, every one for maps); UNet calls
    /// (CallIndices; nil: 0-4 for masks, 0-2 for maps, at most the run's).
    public var layers: [String]?
    public var calls: String?
    public var iterations = 128
    public var learningRate = 5e-3
    public var control = false
    public var controlSeed: UInt64 = 0
    public var evalLabeler: String?
    public var ownLabel: InterventionOptions.OwnLabel?
    public var bootstrap = 1000

    public init(target: InterventionOptions.Target, probes: String) {
        self.target = target
        self.probes = probes
    }
}

public struct InterventionStudy {
    public let config: InterventionConfig

    public init(_ config: InterventionConfig) { self.config = config }

    /// Runs `jobs` with `sampler` on `model` into `out`; `log` gets one line per image. Returns report.md.
    @discardableResult
    public func run(_ jobs: [ImageJob], model: LoadedModel, sampler: SamplerPlugin, registry: PluginRegistry,
                    out: URL, log: (String) -> Void) throws -> URL {
        let c = config
        var depth = false
        if case .depth = c.target { depth = true }
        let probeFile = try InterventionProbes.file(in: c.probes, property: c.property ?? (depth ? "depth" : "foreground"))
        let probeSet = try InterventionProbes(path: probeFile, plugin: try registry.probe(spec: c.probe))
        let labeler = try c.evalLabeler.map { try registry.labeler(spec: $0).instantiate() }
        let pipeline = try model.pipeline(sampler)
        defer { model.sd.unet.attach(nil) }  // the runner's tap must not stay on a shared UNet
        let attn1 = pipeline.capturePoints.filter(\.isSelfAttention).map(\.path)
        let chosen = try c.layers.map { try LayerPatterns.expand($0, available: attn1) }
            ?? attn1.filter { probeSet.kind == .continuous || $0.hasPrefix("up_blocks") }
        let calls = try pipeline.plan().calls
        // Default calls: the first 5 (masks) or 3 (maps), as many as the run has.
        let firstCalls = Array(0..<min(calls, probeSet.kind == .continuous ? 3 : 5))
        var options = InterventionOptions(target: c.target, layers: chosen,
                                          steps: try c.calls.map { try CallIndices($0).resolve(calls: calls) } ?? firstCalls)
        options.editor = AdamEditor(learningRate: Float(c.learningRate), iterations: c.iterations)
        options.control = c.control || labeler != nil
        options.controlSeed = c.controlSeed
        options.labeler = labeler
        options.labelerName = c.evalLabeler ?? ""
        options.ownLabel = c.ownLabel
        let runner = try InterventionRunner(pipeline: pipeline, probes: probeSet, options: options)
        try AtomicFile.createFolder(out)
        var reports: [InterventionImageReport] = []
        let started = Date()
        for (i, job) in jobs.enumerated() {
            let r = try runner.run(job, out: out, index: i, total: jobs.count)
            reports.append(r)
            let per = Date().timeIntervalSince(started) / Double(i + 1)
            var line = "image \(i + 1)/\(jobs.count) \(job.id): probe score \(fmt(r.scorePlain)) → \(fmt(r.scoreIntervened))"
                + (r.scoreControl.map { " (control \(fmt($0)))" } ?? "")
            if let l = r.labelerScores {
                line += ", \(l.metric) \(fmt(l.plain)) → \(fmt(l.intervened)) (control \(fmt(l.control ?? .nan)))"
            }
            log(line + ", \(fmt(r.secondsIntervened)) s vs \(fmt(r.secondsPlain)) s plain, "
                + "ETA \(Int(per * Double(jobs.count - i - 1))) s")
        }
        let evaluation = InterventionEvaluation(reports: reports, resamples: c.bootstrap, seed: c.controlSeed)
        if labeler != nil { try evaluation.write(to: out) }
        try AtomicFile.write(try InterventionEvaluation.json(reports), to: out.appendingPathComponent("report.json"))
        let report = out.appendingPathComponent("report.md")
        try AtomicFile.write(markdown(reports, evaluation: evaluation, probeFile: probeFile, property: probeSet.property,
                                      layers: chosen, calls: options.steps), to: report)
        return report
    }

    func markdown(_ reports: [InterventionImageReport], evaluation: InterventionEvaluation, probeFile: String,
                  property: String, layers: [String], calls: [Int]) -> String {
        var md = "# Interventions (\(property))\n\nProbes: \(probeFile)  \nLayers: \(layers.count) "
            + "(\(layers.first ?? "") …), calls \(calls.map(String.init).joined(separator: ","))  \n"
            + "Adam: lr \(config.learningRate), \(config.iterations) iterations per (layer, call)\n\n"
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
        return md
    }

    func fmt(_ v: Double) -> String { v.isFinite ? String(format: "%.4g", v) : "–" }
}

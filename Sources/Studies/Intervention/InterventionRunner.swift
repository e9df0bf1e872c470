// `ldmprobe intervene`'s engine: per image, a plain run (reading the probes), the target, an intervened run
// (editing the conditional branch at the chosen layers and steps), optionally a random-direction control run, then
// the outputs (written atomically): <out>/<id>/comparison.png (plain | intervened [| control]), target.png,
// readings/<layer>.step<s>.{before,after}.png, labels/{plain,intervened,control}.png (with a labeler),
// report.json and report.md.
//
// The image's own label (for --shift-foreground) is the labeler's label of the plain image when a labeler is
// given, else the probes' reading of the plain run at the last step that has probes (the mean over the chosen
// layers of P(foreground) > 0.5, or of the depth value). Scores: the same probe readout on each run (probe IoU
// with the target) and, with a labeler, the labeler's reading of each final image against the target.
import FileFormats
import Foundation
import Pipeline
import PluginHost

public final class InterventionRunner {
    public let pipeline: DiffusionPipeline
    public let probes: InterventionProbes
    public let options: InterventionOptions
    public let tap: InterventionTap
    public let labelStep: Int
    /// A --target-mask / --target-depth target [H, W], loaded (and checked) once up front.
    public let fixedTarget: [Float]?

    public init(pipeline: DiffusionPipeline, probes: InterventionProbes, options: InterventionOptions) throws {
        self.pipeline = pipeline
        self.probes = probes
        self.options = options
        let H = pipeline.settings.height, W = pipeline.settings.width
        switch options.target {
        case .shift: fixedTarget = nil
        case let .mask(path):
            guard probes.kind == .binary else {
                throw InterventionError.settings("--target-mask needs binary (foreground) probes, \(probes.path) is continuous")
            }
            fixedTarget = try InterventionTarget.mask(png: path, height: H, width: W)
        case let .depth(path):
            guard probes.kind == .continuous else {
                throw InterventionError.settings("--target-depth needs continuous (depth) probes, \(probes.path) is binary")
            }
            fixedTarget = try InterventionTarget.depth(file: path, height: H, width: W)
        }
        if let labeler = options.labeler {
            let kind = labeler.labelKind
            guard (kind == .binary) == (probes.kind == .binary) else {
                throw InterventionError.settings("labeler \(options.labelerName) gives \(kind.rawValue) labels, the probes in "
                                                 + "\(probes.path) are \(probes.kind.rawValue)")
            }
        }
        let available = pipeline.capturePoints
        var points: [CapturePoint] = []
        for layer in options.layers {
            guard let p = available.first(where: { $0.path == layer }) else {
                throw InterventionError.settings("unknown layer \(layer) (see `ldmprobe layers`)")
            }
            points.append(p)
        }
        guard !points.isEmpty else { throw InterventionError.settings("no layers to edit") }
        for layer in options.layers {
            for s in options.steps where probes.probe(layer: layer, step: s) == nil {
                throw InterventionError.missingProbe(layer: layer, step: s, path: probes.path)
            }
        }
        let calls = try pipeline.plan().calls
        if let bad = options.steps.first(where: { $0 < 0 || $0 >= calls }) {
            throw InterventionError.settings("step \(bad) is outside 0..<\(calls) UNet calls")
        }
        // The label step: the last call for which every chosen layer has a probe.
        guard let ls = (0 ..< calls).reversed().first(where: { s in options.layers.allSatisfy { probes.probe(layer: $0, step: s) != nil } })
        else { throw InterventionError.settings("no step has probes for all chosen layers") }
        labelStep = ls
        tap = InterventionTap(points: points, probes: probes, editSteps: Set(options.steps), readSteps: [ls],
                              labelHeight: H, labelWidth: W, editor: options.editor)
        tap.batchHasUncond = pipeline.settings.usesGuidance
        pipeline.subscribe(tap as StepObserver)
        pipeline.prepare()
        pipeline.unet.attach(tap)
    }

    /// The mean readout at the label step [H, W]: P(foreground) for binary probes, the value for continuous ones.
    func readout(_ readings: [InterventionTap.Reading]) -> [Float] {
        let n = pipeline.settings.height * pipeline.settings.width
        var sum = [Float](repeating: 0, count: n)
        var k = 0
        for r in readings where r.step == labelStep {
            let v = r.after ?? r.before
            if probes.kind == .binary {
                for i in 0 ..< n { sum[i] += 1 / (1 + exp(v[i] - v[n + i])) }
            } else {
                for i in 0 ..< n { sum[i] += v[i] }
            }
            k += 1
        }
        return sum.map { $0 / Float(max(k, 1)) }
    }

    func score(_ readout: [Float], _ target: [Float]) -> Double {
        if probes.kind == .binary { return InterventionTarget.iou(readout, target) }
        var s = 0.0
        for i in 0 ..< target.count { s += Double(abs(readout[i] - target[i])) }
        return s / Double(max(target.count, 1))
    }

    /// The labeler's label [H, W] of a generated image.
    func label(_ image: GeneratedImage, id: String) throws -> [Float] {
        guard let labeler = options.labeler else { return [] }
        let img = image.image
        let rgb = img.channels == 3 ? img.bytes : (0 ..< img.width * img.height * 3).map {
            img.bytes[($0 / 3) * img.channels + min($0 % 3, img.channels - 1)]
        }
        do {
            return try labeler.load(imageID: id, height: pipeline.settings.height, width: pipeline.settings.width,
                                    image: rgb, imageHeight: img.height, imageWidth: img.width)
        } catch {
            throw InterventionError.settings("labeler \(options.labelerName) on image \(id): \(error)")
        }
    }

    /// Runs one image and writes its outputs under `out/<id>/`.
    public func run(_ job: ImageJob, out: URL, index: Int = 0, total: Int = 1) throws -> InterventionImageReport {
        let H = pipeline.settings.height, W = pipeline.settings.width
        let binary = probes.kind == .binary
        tap.begin(mode: .read)
        let plain = try pipeline.generate(job, index: index, total: total)
        try tap.throwIfFailed()
        let plainReadout = readout(tap.readings)
        let plainLabel = try label(plain, id: job.id)
        let target: [Float]
        let targetName: String
        if let fixedTarget {
            target = fixedTarget
            switch options.target { case let .mask(p), let .depth(p): targetName = p; default: targetName = "" }
        } else if case let .shift(dx, dy) = options.target {
            let fromLabeler = options.effectiveOwnLabel == .labeler && options.labeler != nil
            let source = fromLabeler ? plainLabel : plainReadout
            let own = binary ? source.map { $0 > 0.5 ? 1 : 0 } : source
            target = InterventionTarget.shifted(own, height: H, width: W, dx: dx, dy: dy, fill: binary ? 0 : nil)
            targetName = (fromLabeler ? "own label (\(options.labelerName))" : "own probe label (step \(labelStep))")
                + " shifted by (\(dx), \(dy)) px"
        } else { throw InterventionError.settings("no target") }

        tap.target = target
        tap.begin(mode: .edit)
        let edited = try pipeline.generate(job, index: index, total: total)
        try tap.throwIfFailed()
        let editedReadings = tap.readings
        let editSeconds = tap.editSeconds
        let editedReadout = readout(editedReadings)

        var control: GeneratedImage?
        var controlReadout: [Float]?
        if options.control {
            tap.controlSeed = options.controlSeed ^ (job.seed ?? UInt64(job.promptIndex))
            tap.controlNorms = Dictionary(editedReadings.compactMap { r in r.changeNorm.map { ("\(r.layer)/step_\(r.step)", $0) } },
                                          uniquingKeysWith: { a, _ in a })
            tap.begin(mode: .control)
            control = try pipeline.generate(job, index: index, total: total)
            try tap.throwIfFailed()
            controlReadout = readout(tap.readings)
        }

        let dir = out.appendingPathComponent(job.id)
        try AtomicFile.createFolder(dir.appendingPathComponent("readings"))
        var labelerScores: InterventionImageReport.LabelerScores?
        if options.labeler != nil {
            let editedLabel = try label(edited, id: job.id)
            let controlLabel = try control.map { try label($0, id: job.id) }
            let metric = binary ? "iou" : "spearman"
            func s(_ l: [Float]) -> Double { InterventionEvaluation.score(label: l, target: target, binary: binary) }
            var note: String?
            if binary && !target.contains(where: { $0 > 0.5 }) { note = "empty target mask" }
            if !binary && Set(target).count < 2 { note = "constant target map" }
            labelerScores = .init(labeler: options.labelerName, metric: metric, plain: s(plainLabel),
                                  intervened: s(editedLabel), control: controlLabel.map(s), note: note)
            if options.writeLabelImages {
                try AtomicFile.createFolder(dir.appendingPathComponent("labels"))
                for (name, l) in [("plain", plainLabel), ("intervened", editedLabel)] + (controlLabel.map { [("control", $0)] } ?? []) {
                    try InterventionImages.write(binary ? InterventionImages.gray(l, H, W, binary: true)
                                                        : InterventionImages.range(l, H, W, like: target),
                                                 to: dir.appendingPathComponent("labels/\(name).png"))
                }
            }
        }
        try InterventionImages.write(InterventionImages.sideBySide([plain.image, edited.image] + (control.map { [$0.image] } ?? [])),
                                     to: dir.appendingPathComponent("comparison.png"))
        try InterventionImages.write(InterventionImages.gray(target, H, W, binary: binary), to: dir.appendingPathComponent("target.png"))
        var edits: [InterventionImageReport.Edit] = []
        for r in editedReadings {
            let stem = "readings/\(r.layer).step\(r.step)"
            try InterventionImages.write(InterventionImages.reading(r.before, H, W, binary: binary, like: target),
                                         to: dir.appendingPathComponent("\(stem).before.png"))
            if let after = r.after {
                try InterventionImages.write(InterventionImages.reading(after, H, W, binary: binary, like: target),
                                             to: dir.appendingPathComponent("\(stem).after.png"))
                edits.append(.init(layer: r.layer, step: r.step, lossBefore: r.lossBefore ?? .nan,
                                   lossAfter: r.lossAfter ?? .nan, changeNorm: r.changeNorm ?? 0,
                                   activationNorm: r.activationNorm ?? .nan))
            }
        }
        let report = InterventionImageReport(
            id: job.id, prompt: job.prompt, seed: job.seed, property: probes.property, kind: probes.kind.rawValue,
            target: targetName, labelStep: labelStep, iterations: options.editor.iterations,
            learningRate: Double(options.editor.learningRate), edits: edits,
            scorePlain: score(plainReadout, target), scoreIntervened: score(editedReadout, target),
            scoreControl: controlReadout.map { score($0, target) }, labelerScores: labelerScores,
            secondsPlain: plain.seconds, secondsIntervened: edited.seconds, secondsEditing: editSeconds,
            secondsControl: control?.seconds)
        try AtomicFile.write(try InterventionEvaluation.json(report), to: dir.appendingPathComponent("report.json"))
        try AtomicFile.write(Self.markdown(report), to: dir.appendingPathComponent("report.md"))
        return report
    }

    static func markdown(_ r: InterventionImageReport) -> String {
        let metric = r.kind == "binary" ? "probe IoU with target (higher is better)" : "mean |probe depth − target| (lower is better)"
        var s = "# Intervention: \(r.id)\n\nPrompt: \(r.prompt)  \nProperty: \(r.property) (\(r.kind))  \nTarget: \(r.target)  \n"
        s += "Adam: lr \(fmt(r.learningRate)), \(r.iterations) iterations per (layer, step)\n\n"
        s += "![plain | intervened\(r.scoreControl == nil ? "" : " | control")](comparison.png) ![target](target.png)\n\n"
        let l = r.labelerScores
        s += "| | \(metric) |" + (l.map { " \($0.labeler) \($0.metric) with target |" } ?? "") + " seconds |\n"
        s += "|---|---|" + (l == nil ? "" : "---|") + "---|\n"
        s += "| plain | \(fmt(r.scorePlain)) |" + (l.map { " \(fmt($0.plain)) |" } ?? "") + " \(fmt(r.secondsPlain)) |\n"
        s += "| intervened | \(fmt(r.scoreIntervened)) |" + (l.map { " \(fmt($0.intervened)) |" } ?? "")
            + " \(fmt(r.secondsIntervened)) (editing \(fmt(r.secondsEditing))) |\n"
        if let c = r.scoreControl {
            s += "| random-direction control | \(fmt(c)) |" + (l.map { " \(fmt($0.control ?? .nan)) |" } ?? "")
                + " \(fmt(r.secondsControl ?? 0)) |\n"
        }
        if let note = l?.note { s += "\nLabeler score undefined: \(note).\n" }
        s += "\n| layer | step | loss before | loss after | ‖Δ‖ | ‖x‖ |\n|---|---|---|---|---|---|\n"
        for e in r.edits {
            s += "| \(e.layer) | \(e.step) | \(fmt(e.lossBefore)) | \(fmt(e.lossAfter)) | \(fmt(e.changeNorm)) | \(fmt(e.activationNorm)) |\n"
        }
        return s
    }

    static func fmt(_ v: Double) -> String { String(format: "%.4g", v) }
}

// `ldmprobe intervene`'s engine: per image, a plain run (reading the probes), the target, an intervened run
// (editing the conditional branch at the chosen layers and steps), optionally a random-direction control run, then
// the outputs (written atomically): <out>/<id>/comparison.png (plain | intervened [| control]), target.png,
// readings/<layer>.step<s>.{before,after}.png, report.json and report.md.
//
// The image's own label (for --shift-foreground) is the probes' reading of the plain run at the last step that
// has probes (the mean over the chosen layers of P(foreground) > 0.5, or of the depth value): no labeler needed.
// "Measured" scores use the same readout on the intervened run (probe IoU with the target, not a labeler's).
import FileFormats
import Foundation
import PluginHost

public struct InterventionOptions {
    public enum Target { case shift(dx: Int, dy: Int), mask(path: String), depth(path: String) }
    public var target: Target
    /// Layer module paths (resolved); steps (UNet call indices) to edit.
    public var layers: [String]
    public var steps: [Int]
    public var editor = AdamEditor()
    /// Also run a control that moves each activation by a random direction of the same norm.
    public var control = false

    public init(target: Target, layers: [String], steps: [Int]) {
        self.target = target
        self.layers = layers
        self.steps = steps
    }
}

/// What one intervened image reports.
public struct InterventionImageReport: Codable {
    public struct Edit: Codable {
        public var layer: String
        public var step: Int
        public var lossBefore: Double
        public var lossAfter: Double
        public var changeNorm: Double
    }
    public var id: String
    public var prompt: String
    public var seed: UInt64?
    public var property: String
    public var kind: String
    public var target: String
    public var labelStep: Int
    public var iterations: Int
    public var learningRate: Double
    public var edits: [Edit]
    /// Binary: IoU of the last-step probe readout with the target; continuous: mean |readout − target|.
    public var scorePlain: Double
    public var scoreIntervened: Double
    public var scoreControl: Double?
    public var secondsPlain: Double
    public var secondsIntervened: Double
    public var secondsEditing: Double
    public var secondsControl: Double?
}

public final class InterventionRunner {
    public let pipeline: DiffusionPipeline
    public let probes: InterventionProbes
    public let options: InterventionOptions
    public let tap: InterventionTap
    public let labelStep: Int

    public init(pipeline: DiffusionPipeline, probes: InterventionProbes, options: InterventionOptions) throws {
        self.pipeline = pipeline
        self.probes = probes
        self.options = options
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
                              labelHeight: pipeline.settings.height, labelWidth: pipeline.settings.width,
                              editor: options.editor)
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

    /// Runs one image and writes its outputs under `out/<id>/`.
    public func run(_ job: ImageJob, out: URL, index: Int = 0, total: Int = 1) throws -> InterventionImageReport {
        let H = pipeline.settings.height, W = pipeline.settings.width
        tap.begin(mode: .read)
        let plain = try pipeline.generate(job, index: index, total: total)
        try tap.throwIfFailed()
        let plainReadout = readout(tap.readings)
        let target: [Float]
        let targetName: String
        switch options.target {
        case let .shift(dx, dy):
            let own = probes.kind == .binary ? plainReadout.map { $0 > 0.5 ? 1 : 0 } : plainReadout
            target = InterventionTarget.shifted(own, height: H, width: W, dx: dx, dy: dy,
                                                fill: probes.kind == .binary ? 0 : nil)
            targetName = "own probe label (step \(labelStep)) shifted by (\(dx), \(dy)) px"
        case let .mask(path):
            target = try InterventionTarget.mask(png: path, height: H, width: W)
            targetName = path
        case let .depth(path):
            target = try InterventionTarget.depth(file: path, height: H, width: W)
            targetName = path
        }
        if probes.kind == .binary, case .depth = options.target {
            throw InterventionError.settings("--target-depth needs continuous (depth) probes, \(probes.path) is binary")
        }
        if probes.kind == .continuous, case .mask = options.target {
            throw InterventionError.settings("--target-mask needs binary (foreground) probes, \(probes.path) is continuous")
        }

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
            tap.controlSeed = job.seed ?? 0
            tap.begin(mode: .control)
            control = try pipeline.generate(job, index: index, total: total)
            try tap.throwIfFailed()
            controlReadout = readout(tap.readings)
        }

        let dir = out.appendingPathComponent(job.id)
        try AtomicFile.createFolder(dir.appendingPathComponent("readings"))
        try Self.writePNG(Self.sideBySide([plain.image, edited.image] + (control.map { [$0.image] } ?? [])),
                          to: dir.appendingPathComponent("comparison.png"))
        try Self.writePNG(Self.gray(target, H, W, binary: probes.kind == .binary), to: dir.appendingPathComponent("target.png"))
        var edits: [InterventionImageReport.Edit] = []
        for r in editedReadings {
            let stem = "readings/\(r.layer).step\(r.step)"
            try Self.writePNG(Self.reading(r.before, H, W, binary: probes.kind == .binary, like: target),
                              to: dir.appendingPathComponent("\(stem).before.png"))
            if let after = r.after {
                try Self.writePNG(Self.reading(after, H, W, binary: probes.kind == .binary, like: target),
                                  to: dir.appendingPathComponent("\(stem).after.png"))
                edits.append(.init(layer: r.layer, step: r.step, lossBefore: r.lossBefore ?? .nan,
                                   lossAfter: r.lossAfter ?? .nan, changeNorm: r.changeNorm ?? 0))
            }
        }
        let report = InterventionImageReport(
            id: job.id, prompt: job.prompt, seed: job.seed, property: probes.property, kind: probes.kind.rawValue,
            target: targetName, labelStep: labelStep, iterations: options.editor.iterations,
            learningRate: Double(options.editor.learningRate), edits: edits,
            scorePlain: score(plainReadout, target), scoreIntervened: score(editedReadout, target),
            scoreControl: controlReadout.map { score($0, target) },
            secondsPlain: plain.seconds, secondsIntervened: edited.seconds, secondsEditing: editSeconds,
            secondsControl: control?.seconds)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try enc.encode(report), to: dir.appendingPathComponent("report.json"))
        try AtomicFile.write(Self.markdown(report), to: dir.appendingPathComponent("report.md"))
        return report
    }

    static func markdown(_ r: InterventionImageReport) -> String {
        let metric = r.kind == "binary" ? "probe IoU with target (higher is better)" : "mean |probe depth − target| (lower is better)"
        var s = "# Intervention: \(r.id)\n\nPrompt: \(r.prompt)  \nProperty: \(r.property) (\(r.kind))  \nTarget: \(r.target)  \n"
        s += "Adam: lr \(r.learningRate), \(r.iterations) iterations per (layer, step)\n\n"
        s += "![plain | intervened\(r.scoreControl == nil ? "" : " | control")](comparison.png) ![target](target.png)\n\n"
        s += "| | \(metric) | seconds |\n|---|---|---|\n"
        s += "| plain | \(fmt(r.scorePlain)) | \(fmt(r.secondsPlain)) |\n"
        s += "| intervened | \(fmt(r.scoreIntervened)) | \(fmt(r.secondsIntervened)) (editing \(fmt(r.secondsEditing))) |\n"
        if let c = r.scoreControl { s += "| random-direction control | \(fmt(c)) | \(fmt(r.secondsControl ?? 0)) |\n" }
        s += "\n| layer | step | loss before | loss after | ‖Δ‖ |\n|---|---|---|---|---|\n"
        for e in r.edits { s += "| \(e.layer) | \(e.step) | \(fmt(e.lossBefore)) | \(fmt(e.lossAfter)) | \(fmt(e.changeNorm)) |\n" }
        return s
    }

    static func fmt(_ v: Double) -> String { String(format: "%.4g", v) }

    static func sideBySide(_ images: [PNGImage]) -> PNGImage {
        let h = images[0].height, w = images[0].width, k = images.count
        var bytes = [UInt8](repeating: 0, count: h * w * k * 3)
        for (j, img) in images.enumerated() {
            for y in 0 ..< h { for x in 0 ..< w { for c in 0 ..< 3 {
                bytes[(y * w * k + j * w + x) * 3 + c] = img.bytes[(y * w + x) * img.channels + min(c, img.channels - 1)]
            } } }
        }
        return PNGImage(width: w * k, height: h, channels: 3, bytes: bytes)
    }

    static func gray(_ v: [Float], _ h: Int, _ w: Int, binary: Bool) -> PNGImage {
        let lo = binary ? 0 : (v.min() ?? 0), hi = binary ? 1 : (v.max() ?? 1)
        let bytes = v.map { x -> UInt8 in
            let t = hi > lo ? (x - lo) / (hi - lo) : 0
            return UInt8(max(0, min(255, (t * 255).rounded())))
        }
        return PNGImage(width: w, height: h, channels: 1, bytes: bytes)
    }

    /// A probe prediction [O, H, W] as gray: P(foreground) or the value on the target's range.
    static func reading(_ v: [Float], _ h: Int, _ w: Int, binary: Bool, like target: [Float]) -> PNGImage {
        let n = h * w
        if binary { return gray((0 ..< n).map { 1 / (1 + exp(v[$0] - v[n + $0])) }, h, w, binary: true) }
        let lo = target.min() ?? 0, hi = target.max() ?? 1
        return gray(Array(v[0 ..< n]).map { hi > lo ? min(max(($0 - lo) / (hi - lo), 0), 1) : 0 }, h, w, binary: true)
    }

    static func writePNG(_ img: PNGImage, to url: URL) throws {
        try AtomicFile.write(to: url) { tmp in try img.write(to: tmp) }
    }
}

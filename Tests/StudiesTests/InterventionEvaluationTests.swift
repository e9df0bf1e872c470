// The "measured, not shown" evaluation of `ldmprobe intervene --eval-labeler`: per-image labeler scores (IoU,
// Spearman), the summary over images (means with bootstrap intervals, medians, paired differences, timing), the
// CSV, and on the tiny model a real labeler (world-foreground) scoring plain, intervened and control images.
import FileFormats
import Foundation
import Pipeline
import Studies
import PluginHost
import XCTest
import Tensor

final class InterventionEvaluationTests: XCTestCase {
    func testScores() {
        let target: [Float] = [0, 0, 1, 1,  0, 1, 1, 0]
        XCTAssertEqual(InterventionEvaluation.score(label: target, target: target, binary: true), 1)
        // 2 of the 4 target pixels, plus 1 outside: IoU 2 / 5.
        XCTAssertEqual(InterventionEvaluation.score(label: [0, 0, 1, 0,  1, 1, 0, 0], target: target, binary: true),
                       0.4, accuracy: 1e-12)
        // Spearman: any increasing map of the target ranks → 1; reversed → −1; ties averaged (scipy 1.x:
        // spearmanr([1,2,3,4],[1,3,2,4]) = 0.8).
        let depth: [Float] = [0.1, 0.2, 0.3, 0.4]
        XCTAssertEqual(InterventionEvaluation.score(label: depth.map { exp($0 * 9) }, target: depth, binary: false), 1, accuracy: 1e-12)
        XCTAssertEqual(InterventionEvaluation.score(label: depth.map { -$0 }, target: depth, binary: false), -1, accuracy: 1e-12)
        XCTAssertEqual(InterventionEvaluation.score(label: [1, 3, 2, 4], target: [1, 2, 3, 4], binary: false), 0.8, accuracy: 1e-12)
        XCTAssertTrue(InterventionEvaluation.score(label: [2, 2, 2, 2], target: depth, binary: false).isNaN)
        XCTAssertTrue(InterventionEvaluation.score(label: [1, 2], target: depth, binary: false).isNaN)
    }

    func report(_ id: String, _ plain: Double, _ intervened: Double, _ control: Double, note: String? = nil,
                seconds: (Double, Double) = (1, 1.5)) -> InterventionImageReport {
        InterventionImageReport(
            id: id, prompt: "a cube, red", seed: 1, property: "foreground", kind: "binary",
            target: "own label (world-foreground) shifted by (16, 0) px", labelStep: 14, iterations: 128,
            learningRate: 5e-3, edits: [], scorePlain: 0.1, scoreIntervened: 0.9, scoreControl: 0.1,
            labelerScores: .init(labeler: "world-foreground", metric: "iou", plain: plain, intervened: intervened,
                                 control: control, note: note),
            secondsPlain: seconds.0, secondsIntervened: seconds.1, secondsEditing: 0.4, secondsControl: 1.1)
    }

    func testSummary() throws {
        let reports = [report("a", 0.2, 0.5, 0.2), report("b", 0.4, 0.7, 0.5), report("c", 0.6, 0.3, 0.6),
                       report("d", 1, 1, 1, note: "empty target mask", seconds: (2, 2))]
        let e = InterventionEvaluation(reports: reports, resamples: 500, seed: 7)
        XCTAssertEqual(e.images, 4)
        XCTAssertEqual(e.metric, "iou")
        XCTAssertEqual(e.labeler, "world-foreground")
        func check(_ name: String, n: Int, mean: Double, median: Double, positive: Double? = nil) throws {
            let s = try XCTUnwrap(e.named(name), name)
            XCTAssertEqual(s.n, n, name)
            XCTAssertEqual(s.mean, mean, accuracy: 1e-12, name)
            XCTAssertEqual(s.median, median, accuracy: 1e-12, name)
            XCTAssertLessThanOrEqual(s.low, s.mean, name)
            XCTAssertGreaterThanOrEqual(s.high, s.mean, name)
            if let positive { XCTAssertEqual(try XCTUnwrap(s.fractionPositive), positive, accuracy: 1e-12, name) }
        }
        // "d" (empty target) is left out of the labeler series but counts for timing and the probe series.
        try check("iou original", n: 3, mean: 0.4, median: 0.4)
        try check("iou intervened", n: 3, mean: 0.5, median: 0.5)
        try check("iou control", n: 3, mean: 1.3 / 3, median: 0.5)
        try check("iou intervened − original", n: 3, mean: 0.1, median: 0.3, positive: 2.0 / 3)
        try check("iou intervened − control", n: 3, mean: 0.2 / 3, median: 0.2, positive: 2.0 / 3)
        try check("probe iou intervened", n: 4, mean: 0.9, median: 0.9)
        try check("seconds plain", n: 4, mean: 1.25, median: 1)
        try check("time ratio intervened / plain", n: 4, mean: 1.375, median: 1.5)
        // The bootstrap interval of the paired difference: values −0.3, 0.3, 0.3 → the resampled means lie in
        // [−0.3, 0.3] and the 95 % interval is strictly inside that and around the mean.
        let d = try XCTUnwrap(e.named("iou intervened − original"))
        print("intervention evaluation: iou intervened − original mean \(d.mean) CI [\(d.low), \(d.high)]")
        XCTAssertGreaterThanOrEqual(d.low, -0.3 - 1e-12)
        XCTAssertLessThanOrEqual(d.high, 0.3 + 1e-12)
        XCTAssertLessThan(d.low, d.high)
        // Same seed → same intervals.
        let again = InterventionEvaluation(reports: reports, resamples: 500, seed: 7).named("iou intervened − original")!
        XCTAssertEqual([again.low, again.high], [d.low, d.high])

        let lines = e.csv().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5)
        XCTAssertTrue(lines[0].hasPrefix("id,prompt,seed,labeler_original,labeler_intervened,labeler_control,"
                                         + "intervened_minus_original,intervened_minus_control"))
        XCTAssertEqual(lines[1].split(separator: ",", omittingEmptySubsequences: false).count, 17 + 1)  // quoted comma
        XCTAssertTrue(lines[1].hasPrefix("a,\"a cube, red\",1,0.2,0.5,0.2,0.3,0.3,"), lines[1])
        XCTAssertTrue(lines[4].hasPrefix("d,\"a cube, red\",1,nan,nan,nan,nan,nan,"), lines[4])
        XCTAssertTrue(lines[4].hasSuffix(",empty target mask"), lines[4])

        let dir = Fixtures.scratch("evaluation")
        defer { try? FileManager.default.removeItem(at: dir) }
        try e.write(to: dir)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("evaluation.json"))) as? [String: Any]
        XCTAssertEqual((json?["rows"] as? [Any])?.count, 4)
        XCTAssertEqual((json?["series"] as? [Any])?.count, e.series.count)
        XCTAssertTrue(e.markdown().contains("| iou intervened − original | 3 | 0.100 |"), e.markdown())
    }

    func testLabelerOnTinyModel() throws {
        let labeler: LabelerInstance
        do { labeler = try Plugins.registry().labeler(spec: "world-foreground").instantiate() } catch {
            XCTFail("world-foreground labeler not loadable: \(error) (build the WorldLabelers plugin with "
                + "swift build -c release --build-tests; its estimator is Assets/demo/estimators)")
            throw error
        }
        let plugin = try Plugins.probe("linear")
        let own = Fixtures.root.appendingPathComponent("tiny-sd/tokenizer")
        let tok = FileManager.default.fileExists(atPath: own.appendingPathComponent("vocab.json").path)
            ? own.path : Fixtures.root.appendingPathComponent("clip-tokenizer").path
        let model = try StableDiffusionModel(path: Fixtures.root.appendingPathComponent("tiny-sd").path, tokenizerFolder: tok)
        let pipeline = try DiffusionPipeline(textEncoder: model.textEncoder, unet: model.unet, decoder: model.decoder,
                                             scalingFactor: model.scalingFactor, sampler: try Plugins.sampler("ddim"),
                                             schedulerConfigJSON: model.schedulerConfigJSON,
                                             settings: GenerationSettings(steps: 2, guidance: 7.5, height: 64, width: 64))
        let points = pipeline.capturePoints.filter { $0.isSelfAttention && $0.path.hasPrefix("up_blocks.3") }
        var instances: [String: ProbeInstance] = [:]
        for (k, p) in points.enumerated() {
            for s in 0 ..< 2 {
                let inst = try plugin.instantiate(ProbeSpec(labelKind: .binary, channels: p.channels))
                try inst.setWeights(weight: (0 ..< 2 * p.channels).map { Float(sin(Double($0 * 7 + k * 3 + s))) * 0.3 }, bias: nil)
                instances["\(p.path)/step_\(s)"] = inst
            }
        }
        let probes = InterventionProbes(property: "foreground", kind: .binary, instances: instances)
        var options = InterventionOptions(target: .shift(dx: 16, dy: 0), layers: points.map(\.path), steps: [0, 1])
        options.editor = AdamEditor(learningRate: 2e-2, iterations: 16)
        options.control = true
        options.controlSeed = 11
        options.labeler = labeler
        options.labelerName = "world-foreground"
        XCTAssertEqual(options.effectiveOwnLabel, .labeler)
        let runner = try InterventionRunner(pipeline: pipeline, probes: probes, options: options)
        let dir = Fixtures.scratch("intervene-labeler")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runner.run(.single(prompt: "a red cube", seed: 3), out: dir)
        let l = try XCTUnwrap(r.labelerScores)
        print("intervention labeler on tiny model: \(l.metric) plain \(l.plain) intervened \(l.intervened) "
              + "control \(l.control ?? -1) note \(l.note ?? "-"); target \(r.target)")
        XCTAssertEqual(l.metric, "iou")
        XCTAssertTrue(r.target.hasPrefix("own label (world-foreground)"), r.target)
        // The control's edits have exactly the norm the intervened run recorded at each (layer, step).
        let control = runner.tap.readings.filter { $0.after != nil }
        XCTAssertEqual(control.count, r.edits.count)
        for (c, e) in zip(control, r.edits) {
            XCTAssertEqual(c.changeNorm!, e.changeNorm, accuracy: 1e-12)
            let moved = Tensor.maxAbsDiff(c.after!, c.before)
            XCTAssertGreaterThan(moved, 0)
        }
        // The target is the labeler's own mask moved right by 16 px: re-label the plain image to check.
        let folder = dir.appendingPathComponent(r.id)
        let cmp = try PNGImage.read(folder.appendingPathComponent("comparison.png"))
        XCTAssertEqual([cmp.width, cmp.height], [192, 64])
        var plain = [UInt8](repeating: 0, count: 64 * 64 * 3)
        for y in 0 ..< 64 { for x in 0 ..< 64 { for c in 0 ..< 3 { plain[(y * 64 + x) * 3 + c] = cmp.bytes[(y * 192 + x) * 3 + c] } } }
        let mask = try labeler.load(imageID: r.id, height: 64, width: 64, image: plain, imageHeight: 64, imageWidth: 64)
        let expected = InterventionTarget.shifted(mask, height: 64, width: 64, dx: 16, dy: 0)
        let target = try PNGImage.read(folder.appendingPathComponent("target.png")).floats(normalized: true)
        XCTAssertEqual(target, expected)
        if l.note == nil {
            XCTAssertEqual(l.plain, InterventionTarget.iou(mask, expected), accuracy: 1e-12)
            for v in [l.plain, l.intervened, l.control!] { XCTAssertTrue((0 ... 1).contains(v)) }
        }
        for name in ["labels/plain.png", "labels/intervened.png", "labels/control.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), name)
        }
    }
}

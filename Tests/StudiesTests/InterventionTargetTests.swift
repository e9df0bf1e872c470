// `ldmprobe intervene --target-mask / --target-depth`: loading target files (good, wrong size, corrupt, not
// finite → one-line InterventionError naming the file), and on the tiny model with planted probes, that each edit
// moves the probe's reading of the activation toward the given mask or depth map.
import FileFormats
import Foundation
import Pipeline
import Studies
import PluginHost
import XCTest

final class InterventionTargetTests: XCTestCase {
    static let size = 64

    /// The right half is foreground: representable at every up-block resolution (2×2 … 8×8 tokens).
    static var rightHalf: [Float] {
        (0 ..< size * size).map { Float($0 % size >= size / 2 ? 1 : 0) }
    }

    /// A depth ramp, far at the top (0) to near at the bottom (1).
    static var ramp: [Float] {
        (0 ..< size * size).map { Float($0 / size) / Float(size - 1) }
    }

    func assertTargetError(_ body: () throws -> [Float], path: URL, contains: String,
                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let text = "\(error)"
            print("intervention target error: \(text)")
            XCTAssertTrue(error is InterventionError, "\(type(of: error))", file: file, line: line)
            XCTAssertTrue(text.contains(path.path), "message does not name the file: \(text)", file: file, line: line)
            XCTAssertTrue(text.contains(contains), "message lacks '\(contains)': \(text)", file: file, line: line)
            XCTAssertFalse(text.contains("\n"), "message is not one line: \(text)", file: file, line: line)
        }
    }

    func testMaskFiles() throws {
        let dir = Fixtures.scratch("targets-mask")
        defer { try? FileManager.default.removeItem(at: dir) }
        let n = Self.size
        // Gray 8-bit: 0 / 200 (> 50 %) → 0 / 1; RGB uses the first channel.
        let gray = dir.appendingPathComponent("mask.png")
        try PNGImage(width: n, height: n, channels: 1, bytes: Self.rightHalf.map { $0 > 0 ? 200 : 0 }).write(to: gray)
        XCTAssertEqual(try InterventionTarget.mask(png: gray.path, height: n, width: n), Self.rightHalf)
        let rgb = dir.appendingPathComponent("mask-rgb.png")
        try PNGImage(width: n, height: n, channels: 3,
                     bytes: Self.rightHalf.flatMap { $0 > 0 ? [255, 0, 0] : [100, 255, 255] as [UInt8] }).write(to: rgb)
        XCTAssertEqual(try InterventionTarget.mask(png: rgb.path, height: n, width: n), Self.rightHalf)
        // Wrong size, corrupt, missing.
        let small = dir.appendingPathComponent("small.png")
        try PNGImage(width: 32, height: 16, channels: 1, bytes: [UInt8](repeating: 255, count: 32 * 16)).write(to: small)
        assertTargetError({ try InterventionTarget.mask(png: small.path, height: n, width: n) }, path: small, contains: "32×16")
        let corrupt = dir.appendingPathComponent("corrupt.png")
        var bytes = try Data(contentsOf: gray)
        bytes = bytes.prefix(40)                                           // signature + IHDR, no image data
        try bytes.write(to: corrupt)
        assertTargetError({ try InterventionTarget.mask(png: corrupt.path, height: n, width: n) }, path: corrupt, contains: "target")
        let text = dir.appendingPathComponent("text.png")
        try Data("not a png".utf8).write(to: text)
        assertTargetError({ try InterventionTarget.mask(png: text.path, height: n, width: n) }, path: text, contains: "target")
        let missing = dir.appendingPathComponent("missing.png")
        assertTargetError({ try InterventionTarget.mask(png: missing.path, height: n, width: n) }, path: missing, contains: "target")
    }

    func testDepthFiles() throws {
        let dir = Fixtures.scratch("targets-depth")
        defer { try? FileManager.default.removeItem(at: dir) }
        let n = Self.size
        let npy = dir.appendingPathComponent("depth.npy")
        try NpyArray(float32: Self.ramp, shape: [n, n]).write(to: npy)
        XCTAssertEqual(try InterventionTarget.depth(file: npy.path, height: n, width: n), Self.ramp)
        let npy3 = dir.appendingPathComponent("depth3.npy")
        try NpyArray(float32: Self.ramp, shape: [1, n, n]).write(to: npy3)
        XCTAssertEqual(try InterventionTarget.depth(file: npy3.path, height: n, width: n), Self.ramp)
        // float16 is read too.
        let f16 = dir.appendingPathComponent("depth16.npy")
        try NpyArray(float16: Self.ramp, shape: [n, n]).write(to: f16)
        let d16 = try InterventionTarget.depth(file: f16.path, height: n, width: n)
        let md = Fixtures.maxdiff(d16, Self.ramp)
        print("intervention depth target float16 vs float32: maxdiff \(md)")
        XCTAssertLessThan(md, 1e-3)
        // A 16-bit gray PNG maps 0…65535 to 0…1.
        let png = dir.appendingPathComponent("depth.png")
        try PNGImage(width: n, height: n, channels: 1, words: Self.ramp.map { UInt16(($0 * 65535).rounded()) }).write(to: png)
        let dp = try InterventionTarget.depth(file: png.path, height: n, width: n)
        let mdp = Fixtures.maxdiff(dp, Self.ramp)
        print("intervention depth target png16 vs float32: maxdiff \(mdp)")
        XCTAssertLessThan(mdp, 1e-4)
        // Wrong shape, truncated, not finite, wrong-size PNG.
        let wrong = dir.appendingPathComponent("wrong.npy")
        try NpyArray(float32: [Float](repeating: 0, count: 32 * n), shape: [32, n]).write(to: wrong)
        assertTargetError({ try InterventionTarget.depth(file: wrong.path, height: n, width: n) }, path: wrong, contains: "[32, 64]")
        let truncated = dir.appendingPathComponent("truncated.npy")
        try Data(contentsOf: npy).prefix(200).write(to: truncated)
        assertTargetError({ try InterventionTarget.depth(file: truncated.path, height: n, width: n) }, path: truncated, contains: "target")
        let nan = dir.appendingPathComponent("nan.npy")
        var v = Self.ramp
        v[3 * n + 5] = .nan
        try NpyArray(float32: v, shape: [n, n]).write(to: nan)
        assertTargetError({ try InterventionTarget.depth(file: nan.path, height: n, width: n) }, path: nan, contains: "(5, 3)")
        let smallPNG = dir.appendingPathComponent("small.png")
        try PNGImage(width: 8, height: 8, channels: 1, bytes: [UInt8](repeating: 9, count: 64)).write(to: smallPNG)
        assertTargetError({ try InterventionTarget.depth(file: smallPNG.path, height: n, width: n) }, path: smallPNG, contains: "8×8")
    }

    // MARK: the edit moves the probe's reading toward a given target (tiny model, planted probes)

    struct Tiny {
        let pipeline: DiffusionPipeline
        let points: [CapturePoint]
    }

    func tiny() throws -> Tiny {
        let sampler = try Plugins.sampler("ddim")
        let own = Fixtures.root.appendingPathComponent("tiny-sd/tokenizer")
        let tok = FileManager.default.fileExists(atPath: own.appendingPathComponent("vocab.json").path)
            ? own.path : Fixtures.root.appendingPathComponent("clip-tokenizer").path
        let model = try StableDiffusionModel(path: Fixtures.root.appendingPathComponent("tiny-sd").path, tokenizerFolder: tok)
        let pipeline = try DiffusionPipeline(textEncoder: model.textEncoder, unet: model.unet, decoder: model.decoder,
                                             scalingFactor: model.scalingFactor, sampler: sampler,
                                             schedulerConfigJSON: model.schedulerConfigJSON,
                                             settings: GenerationSettings(steps: 2, guidance: 7.5, height: Self.size, width: Self.size))
        let points = pipeline.capturePoints.filter { $0.isSelfAttention && $0.path.hasPrefix("up_blocks") }
        return Tiny(pipeline: pipeline, points: points)
    }

    func plantedProbes(_ points: [CapturePoint], kind: LabelKind, steps: Int) throws -> InterventionProbes {
        let plugin = try Plugins.probe("linear")
        let outputs = kind == .binary ? 2 : 1
        var instances: [String: ProbeInstance] = [:]
        for (k, p) in points.enumerated() {
            for s in 0 ..< steps {
                let inst = try plugin.instantiate(ProbeSpec(labelKind: kind, channels: p.channels, outputs: outputs))
                var state = UInt64(1000 + 10 * k + s)
                let w = (0 ..< outputs * p.channels).map { _ -> Float in
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    return (Float((state >> 40) & 0xFFFFFF) / Float(1 << 24) * 2 - 1) * 0.5
                }
                try inst.setWeights(weight: w, bias: nil)
                instances["\(p.path)/step_\(s)"] = inst
            }
        }
        return InterventionProbes(property: kind == .binary ? "foreground" : "depth", kind: kind, instances: instances)
    }

    func testTargetMaskMovesReading() throws {
        let t = try tiny()
        let probes = try plantedProbes(t.points, kind: .binary, steps: 2)
        let dir = Fixtures.scratch("intervene-mask")
        defer { try? FileManager.default.removeItem(at: dir) }
        let n = Self.size
        // A wrong-size target fails when the runner is made (before any generation), naming the file.
        let bad = dir.appendingPathComponent("bad-mask.png")
        try PNGImage(width: 32, height: 32, channels: 1, bytes: [UInt8](repeating: 255, count: 1024)).write(to: bad)
        XCTAssertThrowsError(try InterventionRunner(pipeline: t.pipeline, probes: probes,
                                                    options: InterventionOptions(target: .mask(path: bad.path),
                                                                                 layers: t.points.map(\.path), steps: [0])))
        { XCTAssertTrue("\($0)".contains(bad.path), "\($0)") }
        // Depth target with binary probes: refused.
        XCTAssertThrowsError(try InterventionRunner(pipeline: t.pipeline, probes: probes,
                                                    options: InterventionOptions(target: .depth(path: bad.path),
                                                                                 layers: t.points.map(\.path), steps: [0])))
        { XCTAssertTrue("\($0)".contains("binary"), "\($0)") }

        let mask = dir.appendingPathComponent("mask.png")
        try PNGImage(width: n, height: n, channels: 1, bytes: Self.rightHalf.map { $0 > 0 ? 255 : 0 }).write(to: mask)
        var options = InterventionOptions(target: .mask(path: mask.path), layers: t.points.map(\.path), steps: [0, 1])
        options.editor = AdamEditor(learningRate: 2e-2, iterations: 32)
        let runner = try InterventionRunner(pipeline: t.pipeline, probes: probes, options: options)
        XCTAssertEqual(runner.fixedTarget, Self.rightHalf)
        let r = try runner.run(.single(prompt: "a red cube", seed: 5), out: dir)
        XCTAssertEqual(r.target, mask.path)
        let edits = runner.tap.readings.filter { $0.after != nil }
        XCTAssertEqual(edits.count, t.points.count * 2)
        var worst = 1.0, meanBefore = 0.0, meanAfter = 0.0
        for e in edits {
            func iou(_ v: [Float]) -> Double {
                InterventionTarget.iou((0 ..< n * n).map { v[n * n + $0] > v[$0] ? 1 : 0 }, Self.rightHalf)
            }
            let b = iou(e.before), a = iou(e.after!)
            meanBefore += b / Double(edits.count)
            meanAfter += a / Double(edits.count)
            worst = min(worst, a)
            XCTAssertLessThan(e.lossAfter!, e.lossBefore!, "\(e.layer) step \(e.step)")
            XCTAssertGreaterThan(a, b, "\(e.layer) step \(e.step): IoU \(b) → \(a)")
        }
        print("intervention --target-mask (tiny): probe IoU with target per edit, mean \(meanBefore) → \(meanAfter), "
              + "worst after \(worst); last-step readout IoU plain \(r.scorePlain) → intervened \(r.scoreIntervened)")
        XCTAssertGreaterThan(worst, 0.9)
        XCTAssertGreaterThan(r.scoreIntervened, r.scorePlain)
        let target = try PNGImage.read(dir.appendingPathComponent(r.id).appendingPathComponent("target.png"))
        XCTAssertEqual(target.floats(normalized: true), Self.rightHalf)
    }

    func testTargetDepthMovesReading() throws {
        let t = try tiny()
        let probes = try plantedProbes(t.points, kind: .continuous, steps: 2)
        let dir = Fixtures.scratch("intervene-depth")
        defer { try? FileManager.default.removeItem(at: dir) }
        let n = Self.size
        let depth = dir.appendingPathComponent("depth.npy")
        try NpyArray(float32: Self.ramp, shape: [n, n]).write(to: depth)
        var options = InterventionOptions(target: .depth(path: depth.path), layers: t.points.map(\.path), steps: [0, 1])
        options.editor = AdamEditor(learningRate: 2e-2, iterations: 32)
        let runner = try InterventionRunner(pipeline: t.pipeline, probes: probes, options: options)
        let r = try runner.run(.single(prompt: "a blue sphere", seed: 6), out: dir)
        let edits = runner.tap.readings.filter { $0.after != nil }
        XCTAssertEqual(edits.count, t.points.count * 2)
        func mae(_ v: [Float]) -> Double {
            var s = 0.0
            for i in 0 ..< n * n { s += Double(abs(v[i] - Self.ramp[i])) }
            return s / Double(n * n)
        }
        var meanBefore = 0.0, meanAfter = 0.0
        for e in edits {
            let b = mae(e.before), a = mae(e.after!)
            meanBefore += b / Double(edits.count)
            meanAfter += a / Double(edits.count)
            XCTAssertLessThan(e.lossAfter!, e.lossBefore!, "\(e.layer) step \(e.step)")
            XCTAssertLessThan(a, b * 0.7, "\(e.layer) step \(e.step): |reading − target| \(b) → \(a)")
        }
        print("intervention --target-depth (tiny): mean |probe reading − target| per edit \(meanBefore) → \(meanAfter); "
              + "last-step readout plain \(r.scorePlain) → intervened \(r.scoreIntervened)")
        XCTAssertLessThan(r.scoreIntervened, r.scorePlain)
    }
}

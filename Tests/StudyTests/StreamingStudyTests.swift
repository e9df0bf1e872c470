// The streamed study equals the stored one: on the planted synthetic run (PlantedStudyTests.makeRun),
// StreamingProbeStudy fed image by image — in its generation order and in a scrambled order — gives ProbeStudy's
// metric rows (same keys and n; values and intervals to rounding: lstsq sums the examples in another order),
// predictions and weights; and ProbeStudy over activations held in memory (MemoryActivations, as `pipeline`
// keeps them for fit=adam) gives exactly the tables it gives over the run folder.
import FileFormats
import Foundation
import PluginHost
import Study
import XCTest
import Tensor

final class StreamingStudyTests: XCTestCase {
    func properties(_ root: URL) throws -> [StudyProperty] {
        let reg = try StudyFixtures.registry()
        return [
            StudyProperty(name: "depth", labeler: try reg.labeler(spec: "generic").instantiate(source: root.appendingPathComponent("labels/depth").path)),
            StudyProperty(name: "fg", labeler: try reg.labeler(spec: "tracer").instantiate(source: root.appendingPathComponent("labels/fg").path)),
        ]
    }

    func options(_ run: RunActivations) throws -> ProbeStudyOptions {
        var o = ProbeStudyOptions(split: try DataSplit.parse("fraction:0.5:1", ids: run.ids), labelHeight: 32, labelWidth: 32)
        o.bootstrapResamples = 200
        return o
    }

    /// layer → [U, C, h, w] of one image, read from the run folder.
    func activations(_ run: RunActivations, _ id: String) throws -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        for l in run.layers {
            let u = try run.shape(layer: l)[0]
            out[l] = try (0..<u).flatMap { try run.slice(id: id, layer: l, step: $0) }
        }
        return out
    }

    /// Maxdiff of value/ci_low/ci_high over two tables whose keys (layer, step, property, metric, n) must agree.
    func compare(_ a: [MetricRow], _ b: [MetricRow], _ what: String) -> Double {
        XCTAssertEqual(a.count, b.count, what)
        var maxdiff = 0.0
        for (x, y) in zip(a, b) {
            XCTAssertEqual([x.layer, String(x.step), x.property, x.metric, String(x.n)],
                           [y.layer, String(y.step), y.property, y.metric, String(y.n)], what)
            for (u, v) in [(x.value, y.value), (x.ci_low, y.ci_low), (x.ci_high, y.ci_high)] where u.isFinite || v.isFinite {
                maxdiff = maxdiff.nanAwareMax(abs(u - v))
            }
        }
        return maxdiff
    }

    func testStreamedEqualsStored() throws {
        let root = try StudyFixtures.temporaryFolder("streaming")
        defer { try? FileManager.default.removeItem(at: root) }
        try PlantedStudyTests.makeRun(root, images: 20)
        let run = try RunActivations(run: root.appendingPathComponent("run"))
        let props = try properties(root)
        let opts = try options(run)
        let probe = try StudyFixtures.registry().probe(spec: "linear:fit=lstsq")
        let stored = ProbeStudy(run: run, properties: props, probe: probe, options: opts,
                                out: root.appendingPathComponent("stored"))
        let reference = try stored.run(log: { _ in })
        let layers = try run.layers.map { (name: $0, shape: try run.shape(layer: $0)) }

        let generation = StreamingProbeStudy.generationOrder(split: opts.split, seed: opts.seed, ids: run.ids)
        XCTAssertEqual(Set(generation), Set(run.ids))
        var rng = StudyRandom(seed: 7)
        let scrambledTrain = rng.permutation(opts.split.train.count).map { opts.split.train[$0] }
        let scrambled = scrambledTrain + opts.split.test.reversed()
        for (name, order) in [("generation", generation), ("scrambled", scrambled)] {
            let study = try StreamingProbeStudy(layers: layers, properties: props, probe: probe, options: opts,
                                                out: root.appendingPathComponent("streamed-\(name)"), log: { _ in })
            for id in order {
                let labels = try props.map { try $0.label(imageID: id, image: nil, height: 32, width: 32) }
                try study.add(imageID: id, activations: try activations(run, id), labels: labels)
            }
            let rows = try study.finish(runFolder: run.folder)
            let maxdiff = compare(rows, reference, name)
            var wdiff: Float = 0
            for (property, tensors) in stored.weights {
                for (key, t) in tensors {
                    guard let s = study.weights[property]?[key] else { XCTFail("\(name): no \(property) \(key)"); continue }
                    XCTAssertEqual(s.shape, t.shape)
                    wdiff = wdiff.nanAwareMax(StudyFixtures.maxdiff(s.values, t.values))
                }
            }
            print("streamed (\(name) order) vs stored, lstsq: \(rows.count) rows, maxdiff \(maxdiff); weights maxdiff "
                  + "\(wdiff); at most \(study.maxHeldImages) training image(s) held")
            XCTAssertLessThan(maxdiff, 1e-6)
            XCTAssertLessThan(wdiff, 1e-3)
            XCTAssertEqual(study.predictions, stored.predictions, name)
            if name == "generation" { XCTAssertEqual(study.maxHeldImages, 1) }
            let csv = try MetricRow.read(csv: root.appendingPathComponent("streamed-\(name)/metrics.csv"))
            XCTAssertEqual(csv.count, reference.count)
            for f in ["report.html", "plots/depth_spearman.svg", "plots/depth_spearman.png", "probes/fg_shuffled.safetensors"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("streamed-\(name)/\(f)").path), f)
            }
        }
    }

    func testStreamRejectsTestBeforeTraining() throws {
        let root = try StudyFixtures.temporaryFolder("streaming-order")
        defer { try? FileManager.default.removeItem(at: root) }
        try PlantedStudyTests.makeRun(root, images: 6)
        let run = try RunActivations(run: root.appendingPathComponent("run"))
        let props = try properties(root)
        let opts = try options(run)
        let layers = try run.layers.map { (name: $0, shape: try run.shape(layer: $0)) }
        let study = try StreamingProbeStudy(layers: layers, properties: props,
                                            probe: try StudyFixtures.registry().probe(spec: "linear:fit=lstsq"),
                                            options: opts, out: root.appendingPathComponent("s"), log: { _ in })
        let id = opts.split.test[0]
        let labels = try props.map { try $0.label(imageID: id, image: nil, height: 32, width: 32) }
        XCTAssertThrowsError(try study.add(imageID: id, activations: try activations(run, id), labels: labels)) {
            print("test image first: \($0)")
            XCTAssertTrue("\($0)".contains("before every training image"))
        }
        XCTAssertThrowsError(try study.finish(runFolder: run.folder)) { XCTAssertTrue("\($0)".contains("missing")) }
    }

    func testMemoryActivationsEqualRunFolder() throws {
        let root = try StudyFixtures.temporaryFolder("memory")
        defer { try? FileManager.default.removeItem(at: root) }
        try PlantedStudyTests.makeRun(root, images: 12)
        let run = try RunActivations(run: root.appendingPathComponent("run"))
        let props = try properties(root)
        let opts = try options(run)
        let probe = try StudyFixtures.registry().probe(spec: "linear:fit=adam,lr=0.05,epochs=3")
        let reference = try ProbeStudy(run: run, properties: props, probe: probe, options: opts,
                                       out: root.appendingPathComponent("disk")).run(log: { _ in })
        let memory = MemoryActivations(folder: run.folder,
                                       layers: try run.layers.map { (name: $0, shape: try run.shape(layer: $0)) })
        for id in run.ids { try memory.add(id: id, activations: try activations(run, id)) }
        XCTAssertEqual(memory.ids, run.ids)
        let study = ProbeStudy(run: memory, properties: props, probe: probe, options: opts,
                               out: root.appendingPathComponent("memory"))
        // Labels handed over in memory (as `pipeline` computes them from the generated image).
        for p in props {
            for id in run.ids {
                study.setLabel(property: p.name, id: id, values: try p.label(imageID: id, image: nil, height: 32, width: 32))
            }
        }
        let rows = try study.run(log: { _ in })
        let maxdiff = compare(rows, reference, "memory")
        print("memory vs run folder, adam: \(rows.count) rows, maxdiff \(maxdiff), \(memory.bytes) bytes held")
        XCTAssertEqual(maxdiff, 0)
        XCTAssertThrowsError(try memory.slice(id: run.ids[0], layer: run.layers[0], step: 99))
        XCTAssertThrowsError(try memory.add(id: "x", activations: [:]))
    }
}

// The study's own tables beside metrics.csv, on the planted synthetic run (PlantedStudyTests.makeRun):
// per_image_metrics.csv recomputes metrics.csv exactly; split.csv lists the split; the `:layout` rows equal the
// training labels' mean map scored by hand; the `:cap` rows are 1 where the labels are constant per token; the
// streamed study writes the same layout and cap rows as the stored one.
import FileFormats
import Foundation
import PluginHost
import Study
import XCTest

final class StudyTablesTests: XCTestCase {
    let H = 32, W = 32

    func setUpStudy(_ name: String, images: Int = 16) throws -> (root: URL, run: RunActivations, props: [StudyProperty],
                                                                  options: ProbeStudyOptions) {
        let root = try StudyFixtures.temporaryFolder(name)
        try PlantedStudyTests.makeRun(root, images: images)
        let run = try RunActivations(run: root.appendingPathComponent("run"))
        let reg = try StudyFixtures.registry()
        let props = [
            StudyProperty(name: "depth", labeler: try reg.labeler(spec: "generic").instantiate(source: root.appendingPathComponent("labels/depth").path)),
            StudyProperty(name: "fg", labeler: try reg.labeler(spec: "tracer").instantiate(source: root.appendingPathComponent("labels/fg").path)),
        ]
        var o = ProbeStudyOptions(split: try DataSplit.parse("fraction:0.5:3", ids: run.ids), labelHeight: H, labelWidth: W)
        o.bootstrapResamples = 200
        o.seed = 5
        return (root, run, props, o)
    }

    func testPerImageTableRecomputesMetricsAndLayoutIsTheMeanMap() throws {
        let s = try setUpStudy("tables")
        defer { try? FileManager.default.removeItem(at: s.root) }
        let out = s.root.appendingPathComponent("study")
        let rows = try ProbeStudy(run: s.run, properties: s.props, probe: try StudyFixtures.registry().probe(spec: "linear:fit=lstsq"),
                                  options: s.options, out: out).run(log: { _ in })
        // metrics.csv from per_image_metrics.csv alone.
        let perImage = try PerImageMetric.read(out.appendingPathComponent("per_image_metrics.csv"))
        let recomputed = PerImageMetric.aggregate(perImage, seed: s.options.seed, resamples: s.options.bootstrapResamples)
        let written = try MetricRow.read(csv: out.appendingPathComponent("metrics.csv"))
        XCTAssertEqual(recomputed.count, written.count)
        var maxdiff = 0.0
        for (a, b) in zip(recomputed, written) {
            XCTAssertEqual([a.layer, String(a.step), a.property, a.metric, String(a.n)],
                           [b.layer, String(b.step), b.property, b.metric, String(b.n)])
            for (u, v) in [(a.value, b.value), (a.ci_low, b.ci_low), (a.ci_high, b.ci_high)] {
                XCTAssertEqual(u.isNaN, v.isNaN, "\(a.property) \(a.layer) \(a.step)")
                if !u.isNaN && !v.isNaN { maxdiff = max(maxdiff, abs(u - v)) }
            }
        }
        print("per_image_metrics.csv → metrics.csv: \(recomputed.count) rows, maxdiff \(maxdiff)")
        XCTAssertEqual(maxdiff, 0)
        XCTAssertEqual(perImage.count, rows.count * s.options.split.test.count)
        // split.csv: every id once, with its split.
        let split = try String(contentsOf: out.appendingPathComponent("split.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(split.first, "image,split")
        XCTAssertEqual(split.count, 1 + s.options.split.train.count + s.options.split.test.count)
        XCTAssertTrue(split.contains("\(s.options.split.test[0]),test"))

        // layout: the training labels' mean map, scored by hand on every test image.
        func labels(_ k: Int, _ ids: [String]) throws -> [[Float]] {
            try ids.map { try s.props[k].label(imageID: $0, image: nil, height: H, width: W) }
        }
        var layoutDiff = 0.0
        for (k, p) in s.props.enumerated() {
            let train = try labels(k, s.options.split.train), test = try labels(k, s.options.split.test)
            let mean = (0..<(H * W)).map { i in Float(train.reduce(0.0) { $0 + Double($1[i]) } / Double(train.count)) }
            let values: [Double] = test.map { l in
                p.kind == .binary ? Metrics.dice(logits: mean.map { 1 - $0 } + mean, label: l) : Metrics.spearman(mean, l) ?? .nan
            }
            let metric = p.kind == .binary ? "dice" : "spearman"
            let row = try XCTUnwrap(rows.first { $0.property == p.name + ":layout" && $0.metric == metric })
            XCTAssertEqual(row.layer, "")
            XCTAssertEqual(row.step, -1)
            let expected = values.filter { !$0.isNaN }
            XCTAssertEqual(row.n, expected.count)
            layoutDiff = max(layoutDiff, abs(row.value - expected.reduce(0, +) / Double(expected.count)))
        }
        print("layout rows vs the mean map scored by hand: maxdiff \(layoutDiff)")
        XCTAssertLessThan(layoutDiff, 1e-12)
        // cap: the planted fg labels are constant on each 4×4 token block of the 8×8 layer, so the cap is exact.
        let cap = try XCTUnwrap(rows.first { $0.property == "fg:cap" })
        print("fg:cap \(cap.value) [\(cap.ci_low), \(cap.ci_high)] n=\(cap.n)")
        XCTAssertEqual(cap.value, 1, accuracy: 1e-9)
        XCTAssertNil(rows.first { $0.property == "depth:cap" })
        // gaps.csv: a strongest control per probe cell and metric.
        let gaps = try ControlGap.read(out.appendingPathComponent("gaps.csv"))
        let probeRows = rows.filter { !$0.property.contains(":") }
        XCTAssertEqual(gaps.filter(\.strongest).count, probeRows.count)
        let planted = try XCTUnwrap(gaps.first { $0.property == "depth" && $0.metric == "spearman" && $0.step == 2
                && $0.layer == PlantedStudyTests.planted && $0.strongest })
        print("planted depth step 2: gap over \(planted.control) \(planted.gap.value) [\(planted.gap.low), \(planted.gap.high)]")
        XCTAssertGreaterThan(planted.gap.low, 0.3)
    }

    func testStreamedLayoutAndCapEqualStored() throws {
        let s = try setUpStudy("tables-stream", images: 12)
        defer { try? FileManager.default.removeItem(at: s.root) }
        let probe = try StudyFixtures.registry().probe(spec: "linear:fit=lstsq")
        let stored = try ProbeStudy(run: s.run, properties: s.props, probe: probe, options: s.options,
                                    out: s.root.appendingPathComponent("stored")).run(log: { _ in })
        let layers = try s.run.layers.map { (name: $0, shape: try s.run.shape(layer: $0)) }
        let study = try StreamingProbeStudy(layers: layers, properties: s.props, probe: probe, options: s.options,
                                            out: s.root.appendingPathComponent("streamed"), log: { _ in })
        for id in StreamingProbeStudy.generationOrder(split: s.options.split, seed: s.options.seed, ids: s.run.ids) {
            var a: [String: [Float]] = [:]
            for l in s.run.layers {
                a[l] = try (0..<(try s.run.shape(layer: l)[0])).flatMap { try s.run.slice(id: id, layer: l, step: $0) }
            }
            try study.add(imageID: id, activations: a,
                          labels: try s.props.map { try $0.label(imageID: id, image: nil, height: H, width: W) })
        }
        let streamed = try study.finish(runFolder: s.run.folder)
        let pick = { (rows: [MetricRow]) in rows.filter { $0.property.hasSuffix(":layout") || $0.property.hasSuffix(":cap") } }
        let a = pick(stored), b = pick(streamed)
        XCTAssertEqual(a.count, 5)  // depth: 3 metrics, fg: dice; fg:cap
        XCTAssertEqual(a.map(\.property), b.map(\.property))
        XCTAssertEqual(a.map(\.n), b.map(\.n))
        var maxdiff = 0.0
        for (x, y) in zip(a, b) {
            for (u, v) in [(x.value, y.value), (x.ci_low, y.ci_low), (x.ci_high, y.ci_high)] {
                XCTAssertFalse(u.isNaN || v.isNaN, x.property)
                maxdiff = max(maxdiff, abs(u - v))
            }
        }
        print("streamed vs stored layout/cap rows: \(a.count) rows, maxdiff \(maxdiff)")
        XCTAssertLessThan(maxdiff, 1e-12)
        let files = ["per_image_metrics.csv", "split.csv", "gaps.csv"]
        for f in files { XCTAssertTrue(FileManager.default.fileExists(atPath: s.root.appendingPathComponent("streamed/\(f)").path), f) }
    }

    /// A control computed by a separate study (as `pipeline` runs the permuted-weights UNet) is added from its
    /// folder: here the same run again, so its rows equal the probe's and every gap over it is exactly 0.
    func testAddControlFromAnotherStudy() throws {
        let s = try setUpStudy("tables-control", images: 12)
        defer { try? FileManager.default.removeItem(at: s.root) }
        let probe = try StudyFixtures.registry().probe(spec: "linear:fit=lstsq")
        let main = s.root.appendingPathComponent("main"), control = s.root.appendingPathComponent("control")
        let before = try ProbeStudy(run: s.run, properties: s.props, probe: probe, options: s.options, out: main).run(log: { _ in })
        let probeRows = try ProbeStudy(run: s.run, properties: s.props, probe: probe, options: s.options, out: control)
            .run(log: { _ in }).filter { !$0.property.contains(":") }
        let added = try StudyFolder.addControl("permuted", from: control, to: main, runFolder: s.run.folder,
                                               seed: s.options.seed, resamples: s.options.bootstrapResamples)
        XCTAssertEqual(added.count, probeRows.count)
        var maxdiff = 0.0
        for (a, p) in zip(added, probeRows) {
            XCTAssertEqual([a.property, a.layer, String(a.step), a.metric, String(a.n)],
                           [p.property + ":permuted", p.layer, String(p.step), p.metric, String(p.n)])
            if a.value.isNaN || p.value.isNaN { XCTAssertEqual(a.value.isNaN, p.value.isNaN) } else { maxdiff = max(maxdiff, abs(a.value - p.value)) }
        }
        let after = try MetricRow.read(csv: main.appendingPathComponent("metrics.csv"))
        XCTAssertEqual(after.count, before.count + added.count)
        for (x, y) in zip(after, before) {
            XCTAssertEqual(x.property, y.property)
            for (u, v) in [(x.value, y.value), (x.ci_low, y.ci_low), (x.ci_high, y.ci_high)] where !(u.isNaN && v.isNaN) {
                maxdiff = max(maxdiff, abs(u - v))
            }
        }
        let gaps = try ControlGap.read(main.appendingPathComponent("gaps.csv")).filter { $0.control == "permuted" }
        XCTAssertEqual(gaps.count, probeRows.count)
        let gapMax = gaps.filter { $0.gap.n > 0 }.map { abs($0.gap.value) }.max() ?? .nan
        print("added control: \(added.count) rows, maxdiff vs the probe and the old rows \(maxdiff); largest |gap| over it \(gapMax)")
        XCTAssertEqual(maxdiff, 0)
        XCTAssertEqual(gapMax, 0)
        let html = try String(contentsOf: main.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("fg:permuted"))
        XCTAssertThrowsError(try StudyFolder.addControl("permuted", from: control, to: main, runFolder: s.run.folder,
                                                        seed: s.options.seed, resamples: 10)) {
            XCTAssertTrue("\($0)".contains("already holds"), "\($0)")
        }
    }
}

// Gaps over controls and the headline drawn from them, on hand-made per-image values: the strongest control is
// the one with the best mean (lowest for rmse), a layout row (layer "", step −1) serves every cell, the gap is
// paired per image, and the first significant step is the first whose interval lies above 0. The index page's
// summary table is generated from metrics.csv and gaps.csv.
import Foundation
import Study
import XCTest

final class ControlGapTests: XCTestCase {
    func values(_ property: String, _ control: String, _ layer: String, _ step: Int, _ metric: String,
                _ v: [Double?]) -> [PerImageMetric] {
        v.enumerated().map { PerImageMetric(property: property, control: control, layer: layer, step: step,
                                            image: "im\($0.offset)", metric: metric, value: $0.element) }
    }

    func testStrongestControlAndPairedGap() throws {
        var v = values("fg", "", "L", 0, "dice", [0.9, 0.8, 0.7, nil])
        v += values("fg", "shuffled", "L", 0, "dice", [0.5, 0.5, 0.5, 0.5])
        v += values("fg", "layout", "", -1, "dice", [0.6, 0.7, 0.8, 0.9])
        v += values("fg", "cap", "", -1, "dice", [1, 1, 1, 1])
        v += values("d", "", "L", 0, "rmse", [0.1, 0.2, 0.3, 0.4])
        v += values("d", "layout", "", -1, "rmse", [0.3, 0.3, 0.3, 0.3])
        v += values("d", "shuffled", "L", 0, "rmse", [0.5, 0.5, 0.5, 0.5])
        let gaps = ControlGap.compute(v, seed: 1, resamples: 500)
        XCTAssertEqual(gaps.map(\.control), ["shuffled", "layout", "layout", "shuffled"])  // cap is no control
        let fg = try XCTUnwrap(gaps.first { $0.property == "fg" && $0.strongest })
        // layout's mean 0.75 beats shuffled's 0.5; paired on the 3 images the probe defines: 0.3, 0.1, −0.1.
        print("fg gap over \(fg.control): \(fg.gap.value) [\(fg.gap.low), \(fg.gap.high)] n=\(fg.gap.n)")
        XCTAssertEqual(fg.control, "layout")
        XCTAssertEqual(fg.controlMean, 0.75, accuracy: 1e-12)
        XCTAssertEqual(fg.gap.value, 0.1, accuracy: 1e-12)
        XCTAssertEqual(fg.gap.n, 3)
        XCTAssertTrue(fg.gap.low >= -0.1 - 1e-12 && fg.gap.high <= 0.3 + 1e-12 && fg.gap.low < 0.1 && fg.gap.high > 0.1)
        // rmse: lower is better, so layout (0.3) is the strongest and the gap is control − probe: 0.3 − 0.25.
        let d = try XCTUnwrap(gaps.first { $0.property == "d" && $0.strongest })
        print("d rmse gap over \(d.control): \(d.gap.value)")
        XCTAssertEqual(d.control, "layout")
        XCTAssertEqual(d.gap.value, 0.05, accuracy: 1e-12)

        // gaps.csv round trip.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-gaps-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try ControlGap.write(gaps, to: url)
        XCTAssertEqual(try ControlGap.read(url), gaps)
    }

    func testSummaryAndIndexTable() throws {
        // Step 0: no signal; step 1: layer B best and clearly above the controls.
        let perImage = values("fg", "", "A", 0, "dice", [0.5, 0.6, 0.55, 0.5]) + values("fg", "", "B", 0, "dice", [0.4, 0.5, 0.6, 0.5])
            + values("fg", "", "A", 1, "dice", [0.6, 0.6, 0.6, 0.6]) + values("fg", "", "B", 1, "dice", [0.9, 0.85, 0.95, 0.9])
            + values("fg", "shuffled", "A", 0, "dice", [0.5, 0.6, 0.55, 0.5]) + values("fg", "shuffled", "B", 0, "dice", [0.5, 0.5, 0.5, 0.5])
            + values("fg", "shuffled", "A", 1, "dice", [0.5, 0.5, 0.5, 0.5]) + values("fg", "shuffled", "B", 1, "dice", [0.5, 0.4, 0.5, 0.5])
            + values("fg", "layout", "", -1, "dice", [0.55, 0.55, 0.55, 0.55]) + values("fg", "cap", "", -1, "dice", [0.97, 0.97, 0.97, 0.97])
        let rows = PerImageMetric.aggregate(perImage, seed: 0, resamples: 300)
        let gaps = ControlGap.compute(perImage, seed: 0, resamples: 300)
        let s = try XCTUnwrap(StudySummary.make(rows: rows, gaps: gaps).first)
        let last = try XCTUnwrap(s.last)
        print("summary: last step \(last.step) best \(last.layer) \(last.probe.value), gap over \(last.gap?.control ?? "-") "
              + "\(last.gap?.gap.value ?? .nan) [\(last.gap?.gap.low ?? .nan), \(last.gap?.gap.high ?? .nan)], first significant \(s.firstSignificantStep ?? -1)")
        XCTAssertEqual(s.metric, "dice")
        XCTAssertEqual(last.layer, "B")
        XCTAssertEqual(last.probe.value, 0.9, accuracy: 1e-12)
        XCTAssertEqual(last.controls.map(\.name), ["shuffled", "layout"])
        XCTAssertEqual(last.gap?.control, "layout")
        XCTAssertEqual(last.gap?.gap.value ?? 0, 0.35, accuracy: 1e-12)
        XCTAssertEqual(s.firstSignificantStep, 1)  // step 0's best layer (A) is below the layout control
        XCTAssertEqual(s.cap?.value ?? 0, 0.97, accuracy: 1e-12)

        // The index page reads the same files.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-index-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let study = folder.appendingPathComponent("ddim/study")
        try FileManager.default.createDirectory(at: study, withIntermediateDirectories: true)
        try MetricRow.write(rows, csv: study.appendingPathComponent("metrics.csv"), json: study.appendingPathComponent("metrics.json"))
        try ControlGap.write(gaps, to: study.appendingPathComponent("gaps.csv"))
        let html = PipelineIndex.html([PipelineIndexEntry(sampler: "ddim", images: 4, calls: 2, metricRows: rows.count,
                                                          seconds: [:], hasClassification: false)],
                                      commandLine: "ldmprobe pipeline", folder: folder)
        XCTAssertTrue(html.contains("0.900 ["), html)
        XCTAssertTrue(html.contains("<td>step 1 (1 of 2 steps, the last included)</td>"), html)
        XCTAssertTrue(html.contains("No generated images"), html)
        XCTAssertFalse(html.contains("nan"), html)
    }
}

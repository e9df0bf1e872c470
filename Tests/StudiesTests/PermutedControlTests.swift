// `pipeline --control permuted` equals `probe --control-run`: the pipeline's permuted-weights control (tiny-sd,
// ddim, 3 steps, 8 images, stored f32 activations, lstsq) gives the same PROPERTY:permuted values as the
// stored-run study handed the control's run folder — so the control is probed for the real images' labels — and
// its permuted weights give different metrics from the model's own.
import Foundation
import Pipeline
import Study
import Studies
import XCTest

final class PermutedControlTests: XCTestCase {
    func testPipelineControlEqualsProbeControlRun() throws {
        let tmp = Fixtures.scratch("permuted")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let registry = try Plugins.registry()
        var config = try StreamedEqualsStoredTests.config(tmp.appendingPathComponent("p"), probe: "linear:fit=lstsq",
                                                          fromDisk: true)
        config.permutedControlSeed = 5
        let result = try XCTUnwrap(try PipelineStudy(config: config, registry: registry, progress: false) { _ in }
            .run().first)
        let base = tmp.appendingPathComponent("p/ddim")
        var stored = StoredRunStudy(run: base.appendingPathComponent("run"), config: config.study,
                                    out: tmp.appendingPathComponent("probe"))
        stored.config.keepLabels = false
        stored.permutedRun = (base.appendingPathComponent("control-permuted/run"), 5)
        let reference = try stored.execute(registry: registry) { _ in }.rows

        func permuted(_ rows: [MetricRow]) -> [MetricRow] { rows.filter { $0.property.hasSuffix(":permuted") } }
        let a = permuted(result.study.rows), b = permuted(reference)
        XCTAssertEqual(a.count, b.count)
        XCTAssertEqual(a.count, result.study.rows.filter { !$0.property.contains(":") }.count)
        XCTAssertEqual(a.map { "\($0.layer) \($0.step) \($0.property) \($0.metric) \($0.n)" },
                       b.map { "\($0.layer) \($0.step) \($0.property) \($0.metric) \($0.n)" })
        let d = Fixtures.maxdiff(a.map { Float($0.value) }, b.map { Float($0.value) })
        print("studies: pipeline --control permuted vs probe --control-run: \(a.count) rows, maxdiff \(d)")
        XCTAssertEqual(d, 0)
        let own = result.study.rows.filter { !$0.property.contains(":") }.map { Float($0.value) }
        XCTAssertGreaterThan(Fixtures.maxdiff(own, a.map { Float($0.value) }), 1e-3, "the control equals the model")
        let csv = try String(contentsOf: base.appendingPathComponent("study/metrics.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").filter { $0.contains(":permuted,") }.count, a.count)
        let record = try JSONDecoder().decode(StudyRecord.self,
                                              from: Data(contentsOf: base.appendingPathComponent("study/study.json")))
        XCTAssertEqual(record.controls.map(\.name), ["shuffled", "layout", "permuted"])
    }
}

// metrics.csv reads back what MetricRow.write wrote, through the one RFC 4180 reader: names with commas, quotes
// and newlines, NaN as an empty field; a damaged table is an error naming the file and line.
import FileFormats
import Foundation
import Study
import XCTest

final class MetricRowCSVTests: XCTestCase {
    func testQuotedFieldsAndNaNRoundTrip() throws {
        let dir = try StudyFixtures.temporaryFolder("metricrow")
        defer { try? FileManager.default.removeItem(at: dir) }
        var quoted = MetricRow(layer: "up_blocks.1,attn \"0\"", step: 3, property: "depth\nline two",
                               metric: "spearman", interval: Bootstrap.meanInterval([0.25, 0.75], resamples: 0))
        (quoted.ci_low, quoted.ci_high) = (0.25, 0.75)
        let undefined = MetricRow(layer: "mid_block", step: 0, property: "fg:shuffled", metric: "iou, binary",
                                  interval: Bootstrap.meanInterval([], resamples: 0))  // NaN everywhere, n 0
        let rows = [quoted, undefined]
        let csv = dir.appendingPathComponent("metrics.csv"), json = dir.appendingPathComponent("metrics.json")
        try MetricRow.write(rows, csv: csv, json: json)
        let back = try MetricRow.read(csv: csv)
        XCTAssertEqual(back.count, rows.count)
        for (a, b) in zip(back, rows) {
            XCTAssertEqual([a.layer, a.property, a.metric], [b.layer, b.property, b.metric])
            XCTAssertEqual([a.step, a.n], [b.step, b.n])
            let d = StudyFixtures.maxdiff([a.value, a.ci_low, a.ci_high].filter(\.isFinite),
                                          [b.value, b.ci_low, b.ci_high].filter(\.isFinite))
            print("metrics.csv round trip \(b.layer.debugDescription): maxdiff \(d)")
            XCTAssertEqual(d, 0)
            XCTAssertEqual([a.value, a.ci_low, a.ci_high].map(\.isNaN), [b.value, b.ci_low, b.ci_high].map(\.isNaN))
        }
    }

    func testDamagedTableNamesFileAndLine() throws {
        let dir = try StudyFixtures.temporaryFolder("metricrow-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let header = "layer,step,property,metric,value,ci_low,ci_high,n\n"
        for (text, where_) in [(header + "a,1,p,m,0.5,0.1,0.9,4\n\"open,2,p,m,1,1,1,1\n", "metrics.csv:3:"),
                               (header + "a,1,p,m,0.5,0.1,0.9\n", "metrics.csv:2:"),
                               (header + "a,x,p,m,0.5,0.1,0.9,4\n", "metrics.csv:2:"),
                               ("layer,step\n", "metrics.csv:1:")] {
            let url = dir.appendingPathComponent("metrics.csv")
            try Data(text.utf8).write(to: url)
            XCTAssertThrowsError(try MetricRow.read(csv: url)) { error in
                print("metrics.csv: \(error)")
                XCTAssertTrue("\(error)".contains(where_), "\(error)")
            }
        }
    }
}

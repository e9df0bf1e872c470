// Charts of extreme metric values (issue 14: label values ≥ 1e16 trapped the report after metrics.csv was written):
// flat ranges next to 1e16 and ranges reaching 1e300 render with finite coordinates and the line drawn; NaN and
// infinite points render without a trap.
import FileFormats
import Study
import XCTest

final class ChartExtremesTests: XCTestCase {
    func testHugeFlatAndNonFiniteValuesRender() throws {
        for (name, ys) in [("flat 1e16", [1e16, 1e16]), ("flat -3e18", [-3e18, -3e18]), ("wide", [-1e300, 1e300]),
                           ("nan and inf", [.nan, .infinity]), ("rmse 1e16 rising", [1e16, 1e16 + 4])] {
            let s = SVGLineChart.Series(name: name, points: ys.enumerated().map {
                .init(x: Double($0.offset), y: $0.element, low: $0.element - 1, high: $0.element + 1)
            })
            let chart = SVGLineChart(title: name, xLabel: "step", yLabel: "rmse", series: [s], yRange: nil)
            let svg = chart.render()
            let png = PNGLineChart(chart).render()
            if ys.allSatisfy(\.isFinite) { XCTAssertFalse(svg.contains("nan"), "\(name): NaN coordinate in the SVG") }
            let ink = stride(from: 0, to: png.bytes.count, by: 3).filter { png.bytes[$0] == 0x1f && png.bytes[$0 + 2] == 0xb4 }.count
            print("chart \(name): svg \(svg.count) chars, series ink \(ink) px")
            if ys.allSatisfy(\.isFinite) { XCTAssertGreaterThan(ink, 100, name) }
        }
    }
}

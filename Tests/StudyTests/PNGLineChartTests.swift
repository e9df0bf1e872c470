// The raster chart (plots/*.png beside the SVGs): the SVG's layout at 2×, lines in the palette's colours at the
// coordinates the SVG uses, white background, legend text drawn.
import FileFormats
import Study
import XCTest

final class PNGLineChartTests: XCTestCase {
    func testLinesAxesAndLegend() throws {
        let flat = SVGLineChart.Series(name: "up_blocks.3.attentions.0.transformer_blocks.0.attn1",
                                       points: [.init(x: 0, y: 0.5, low: 0.4, high: 0.6), .init(x: 1, y: 0.5, low: 0.4, high: 0.6)])
        let rising = SVGLineChart.Series(name: "mid_block.attentions.0.transformer_blocks.0.attn1",
                                         points: [.init(x: 0, y: 0, low: nil, high: nil), .init(x: 1, y: 1, low: nil, high: nil)])
        let chart = SVGLineChart(title: "depth — spearman", xLabel: "step", yLabel: "spearman", series: [flat, rising],
                                 yRange: 0...1)
        let png = PNGLineChart(chart).render()
        XCTAssertEqual([png.width, png.height, png.channels], [1280, 720, 3])
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(png.bytes[(3 * (y * png.width + x))..<(3 * (y * png.width + x) + 3)]) }
        // Plot area at 2×: x 112…880, y 60…632; y = 0.5 at row 346; the first series is #1f77b4.
        XCTAssertEqual(pixel(300, 346), [0x1f, 0x77, 0xb4])
        // The second (#ff7f0e) runs from (112, 632) to (880, 60): its middle is at (496, 346).
        XCTAssertEqual(pixel(496 + 100, 346 - Int(100.0 * 572 / 768)), [0xff, 0x7f, 0x0e])
        XCTAssertEqual(pixel(3, 715), [255, 255, 255])
        // The band: a light tint of the first colour between y 0.4 and 0.6 (rows 289…403).
        let band = pixel(700, 330)
        XCTAssertTrue(band != [255, 255, 255] && band[2] > band[0], "band \(band)")
        // Legend text right of the plot, title above it.
        var legendInk = 0, titleInk = 0
        for y in 60..<120 { for x in 950..<1270 where pixel(x, y)[0] < 100 { legendInk += 1 } }
        for y in 20..<40 { for x in 112..<500 where pixel(x, y)[0] < 100 { titleInk += 1 } }
        print("png chart: legend ink \(legendInk) px, title ink \(titleInk) px")
        XCTAssertGreaterThan(legendInk, 100)
        XCTAssertGreaterThan(titleInk, 100)
    }
}

// PNGLineChart: the raster twin of SVGLineChart — the same layout (title, axes with ticks, one line per series
// with its shaded interval, a legend on the right), drawn at `scale`× into an RGB PNG that can be dropped into
// slides. Text uses a 5×7 bitmap font (upper case drawn as lower case).
import FileFormats
import Foundation

public struct PNGLineChart {
    public var chart: SVGLineChart
    /// Pixels per SVG unit (2: a 640×360 chart becomes 1280×720).
    public var scale: Int

    public init(_ chart: SVGLineChart, scale: Int = 2) {
        self.chart = chart
        self.scale = max(1, scale)
    }

    public func render() -> PNGImage {
        let s = Double(scale)
        let width = chart.width * s, height = chart.height * s
        let left = 56.0 * s, right = 200.0 * s, top = 30.0 * s, bottom = 44.0 * s
        let pw = width - left - right, ph = height - top - bottom
        let all = chart.series.flatMap(\.points)
        let xs = all.map(\.x)
        let ys = all.flatMap { [$0.y, $0.low ?? $0.y, $0.high ?? $0.y] }.filter(\.isFinite)
        let x0 = xs.min() ?? 0, x1 = max(xs.max() ?? 1, x0 + 1)
        let (y0, y1) = SVGLineChart.padded(chart.yRange?.lowerBound ?? (ys.min() ?? 0), chart.yRange?.upperBound ?? (ys.max() ?? 1))
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { top + (1 - (min(max(y, y0), y1) - y0) / (y1 - y0)) * ph }

        var c = RasterCanvas(width: Int(width), height: Int(height))
        let ink = RasterCanvas.RGB(r: 0x44, g: 0x44, b: 0x44), grid = RasterCanvas.RGB(r: 0xdd, g: 0xdd, b: 0xdd)
        let black = RasterCanvas.RGB(r: 0, g: 0, b: 0)
        c.text(chart.title, x: left, y: 18 * s, scale: scale, black, bold: true)
        for t in SVGLineChart.ticks(y0, y1) {
            c.line(left, py(t), left + pw, py(t), grid)
            c.text(SVGLineChart.label(t), x: left - 4 * s, y: py(t) + 4 * s, scale: scale, black, anchor: .end)
        }
        for t in SVGLineChart.ticks(x0, x1) where t == t.rounded() {
            c.line(px(t), top + ph, px(t), top + ph + 4 * s, ink, thickness: s)
            c.text(SVGLineChart.label(t), x: px(t), y: top + ph + 16 * s, scale: scale, black, anchor: .middle)
        }
        c.text(chart.xLabel, x: left + pw / 2, y: height - 8 * s, scale: scale, black, anchor: .middle)
        c.text(chart.yLabel, x: 14 * s, y: top + ph / 2, scale: scale, black, anchor: .middle, upward: true)
        // Bands, then lines and points, then the frame and the legend.
        let colors = chart.series.indices.map { RasterCanvas.color(SVGLineChart.palette[$0 % SVGLineChart.palette.count]) }
        for (i, se) in chart.series.enumerated() {
            let band = se.points.filter { ($0.low?.isFinite ?? false) && ($0.high?.isFinite ?? false) }
            for (a, b) in zip(band, band.dropFirst()) {
                c.band(x0: px(a.x), top0: py(a.high!), bottom0: py(a.low!), x1: px(b.x), top1: py(b.high!),
                       bottom1: py(b.low!), colors[i], alpha: 0.12)
            }
        }
        for (i, se) in chart.series.enumerated() {
            let pts = se.points.filter { $0.y.isFinite }
            for (a, b) in zip(pts, pts.dropFirst()) {
                c.line(px(a.x), py(a.y), px(b.x), py(b.y), colors[i], thickness: 1.6 * s)
            }
            for p in pts { c.line(px(p.x), py(p.y), px(p.x), py(p.y), colors[i], thickness: 4 * s) }
        }
        c.line(left, top, left + pw, top, ink); c.line(left, top + ph, left + pw, top + ph, ink)
        c.line(left, top, left, top + ph, ink); c.line(left + pw, top, left + pw, top + ph, ink)
        for (i, se) in chart.series.enumerated() {
            let ly = top + (8 + Double(i) * 14) * s
            c.line(left + pw + 10 * s, ly, left + pw + 28 * s, ly, colors[i], thickness: 2 * s)
            c.text(SVGLineChart.short(se.name), x: left + pw + 32 * s, y: ly + 4 * s, scale: scale, black)
        }
        return c.image()
    }
}

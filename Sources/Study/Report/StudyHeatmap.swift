// A layer × step heatmap (rows: layers in UNet order, by their short name — the report's layer key gives the
// full names; columns: steps), drawn as SVG and as a PNG twin, with a colour bar. Cells without a value are grey
// and say why in their tooltip. Never wider than `maxWidth` (1280 px).
import FileFormats
import Foundation

struct StudyHeatmap {
    var title: String
    var layers: [String]
    var steps: [Int]
    /// value[layer][step index] (nil: no value).
    var values: [[Double?]]
    /// The colour scale's range: sequential lo…hi, or diverging −m…m.
    var range: ClosedRange<Double>
    var scale: ColorScale
    /// Tooltip of an empty cell.
    var emptyReason = "no value"
    var maxWidth = 1280.0

    static let left = 96.0, top = 30.0, bottom = 34.0, right = 70.0, rowHeight = 20.0

    var cellWidth: Double {
        max(12, min(48, (maxWidth - StudyHeatmap.left - StudyHeatmap.right) / Double(max(steps.count, 1))))
    }
    var width: Double { StudyHeatmap.left + cellWidth * Double(steps.count) + StudyHeatmap.right }
    var height: Double { StudyHeatmap.top + StudyHeatmap.rowHeight * Double(layers.count) + StudyHeatmap.bottom }

    func unit(_ v: Double) -> Double { (v - range.lowerBound) / max(range.upperBound - range.lowerBound, 1e-12) }

    func svg() -> String {
        let L = StudyHeatmap.left, T = StudyHeatmap.top, R = StudyHeatmap.rowHeight, cw = cellWidth
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "font-family=\"sans-serif\" font-size=\"10\"><rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"\(f(L))\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>\n"
        for (i, layer) in layers.enumerated() {
            let y = T + R * Double(i)
            s += "<text x=\"\(f(L - 4))\" y=\"\(f(y + R / 2 + 3))\" text-anchor=\"end\">\(escape(SVGLineChart.short(layer)))"
                + "<title>\(escape(layer))</title></text>"
            for (j, step) in steps.enumerated() {
                let x = L + cw * Double(j)
                let v = values[i][j]
                let t = v.map(unit) ?? .nan
                let tip = v.map { String(format: "%@ step %d: %.4f", layer, step, $0) } ?? "\(layer) step \(step): \(emptyReason)"
                s += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cw))\" height=\"\(f(R))\" fill=\"\(scale.hex(t))\" "
                    + "stroke=\"white\" stroke-width=\"0.5\"><title>\(escape(tip))</title></rect>"
                if cw >= 30 {
                    let label = v.map { String(format: "%.2f", $0) } ?? "—"
                    s += "<text x=\"\(f(x + cw / 2))\" y=\"\(f(y + R / 2 + 3))\" text-anchor=\"middle\" "
                        + "fill=\"\(v == nil ? "#000" : scale.textColor(t))\">\(label)</text>"
                }
            }
            s += "\n"
        }
        let yb = T + R * Double(layers.count)
        let every = max(1, Int((22 / cw).rounded(.up)))
        for (j, step) in steps.enumerated() where j % every == 0 || j == steps.count - 1 {
            s += "<text x=\"\(f(L + cw * (Double(j) + 0.5)))\" y=\"\(f(yb + 12))\" text-anchor=\"middle\">\(step)</text>"
        }
        s += "<text x=\"\(f(L + cw * Double(steps.count) / 2))\" y=\"\(f(yb + 28))\" text-anchor=\"middle\">step (0-based UNet call)</text>\n"
        // Colour bar.
        let bx = L + cw * Double(steps.count) + 12, bh = max(R * Double(layers.count), 60)
        for k in 0..<50 {
            let t = 1 - Double(k) / 49
            s += "<rect x=\"\(f(bx))\" y=\"\(f(T + bh * Double(k) / 50))\" width=\"12\" height=\"\(f(bh / 50 + 0.5))\" fill=\"\(scale.hex(t))\"/>"
        }
        for (t, v) in [(0.0, range.lowerBound), (0.5, (range.lowerBound + range.upperBound) / 2), (1.0, range.upperBound)] {
            s += "<text x=\"\(f(bx + 16))\" y=\"\(f(T + bh * (1 - t) + 3))\">\(String(format: "%.2f", v))</text>"
        }
        return s + "\n</svg>\n"
    }

    /// 2× when that stays within maxWidth, else 1×.
    var pngScale: Int { width * 2 <= maxWidth ? 2 : 1 }

    /// The PNG twin at `scale`× (bitmap font; values written when the cells are wide enough).
    func png(scale k: Int = 2) -> PNGImage {
        let s = Double(k), L = StudyHeatmap.left * s, T = StudyHeatmap.top * s, R = StudyHeatmap.rowHeight * s
        let cw = cellWidth * s
        var c = RasterCanvas(width: Int(width * s), height: Int(height * s))
        let black = RasterCanvas.RGB(r: 0, g: 0, b: 0), white = RasterCanvas.RGB(r: 255, g: 255, b: 255)
        c.text(title, x: L, y: 18 * s, scale: k, black, bold: true)
        for (i, layer) in layers.enumerated() {
            let y = T + R * Double(i)
            c.text(SVGLineChart.short(layer), x: L - 4 * s, y: y + R / 2 + 3 * s, scale: k, black, anchor: .end)
            for (j, _) in steps.enumerated() {
                let x = L + cw * Double(j)
                let v = values[i][j], t = v.map(unit) ?? .nan
                c.fillRect(Int(x), Int(y), Int(x + cw) - 1, Int(y + R) - 1, scale.rgb(t))
                if cw >= 30 * s {
                    let label = v.map { String(format: "%.2f", $0) } ?? "-"
                    c.text(label, x: x + cw / 2, y: y + R / 2 + 3 * s, scale: k,
                           v != nil && scale.textColor(t) == "#fff" ? white : black, anchor: .middle)
                }
            }
        }
        let yb = T + R * Double(layers.count)
        let every = max(1, Int((22 * s / cw).rounded(.up)))
        for (j, step) in steps.enumerated() where j % every == 0 || j == steps.count - 1 {
            c.text(String(step), x: L + cw * (Double(j) + 0.5), y: yb + 12 * s, scale: k, black, anchor: .middle)
        }
        c.text("step (0-based UNet call)", x: L + cw * Double(steps.count) / 2, y: yb + 28 * s, scale: k, black,
               anchor: .middle)
        let bx = L + cw * Double(steps.count) + 12 * s, bh = max(R * Double(layers.count), 60 * s)
        for y in 0..<Int(bh) {
            c.fillRect(Int(bx), Int(T) + y, Int(bx + 12 * s), Int(T) + y + 1, scale.rgb(1 - Double(y) / bh))
        }
        for (t, v) in [(0.0, range.lowerBound), (0.5, (range.lowerBound + range.upperBound) / 2), (1.0, range.upperBound)] {
            c.text(String(format: "%.2f", v), x: bx + 16 * s, y: T + bh * (1 - t) + 3 * s, scale: k, black)
        }
        return c.image()
    }
}

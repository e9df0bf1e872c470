// SVGLineChart: a small, dependency-free line chart — one line per series with an optional shaded interval,
// linear axes with ticks, a legend on the right. Used for "metric against step, one line per layer".
import Foundation

public struct SVGLineChart {
    public struct Point {
        public var x: Double; public var y: Double; public var low: Double?; public var high: Double?
        public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil) {
            self.x = x; self.y = y; self.low = low; self.high = high
        }
    }
    public struct Series {
        public var name: String; public var points: [Point]
        public init(name: String, points: [Point]) { self.name = name; self.points = points }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width = 640.0
    public var height = 360.0
    /// Fixed y range (e.g. 0…1 for Dice); nil = from the data.
    public var yRange: ClosedRange<Double>?

    public init(title: String, xLabel: String, yLabel: String, series: [Series], yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yRange = yRange
    }

    /// 20 distinguishable colours (Tableau 20 order).
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                          "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
                          "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"]

    public func render() -> String {
        let left = 56.0, right = 200.0, top = 30.0, bottom = 44.0
        let pw = width - left - right, ph = height - top - bottom
        let all = series.flatMap(\.points)
        let xs = all.map(\.x)
        let ys = all.flatMap { [$0.y, $0.low ?? $0.y, $0.high ?? $0.y] }.filter(\.isFinite)
        let x0 = xs.min() ?? 0, x1 = max(xs.max() ?? 1, x0 + 1)
        let (y0, y1) = SVGLineChart.padded(yRange?.lowerBound ?? (ys.min() ?? 0), yRange?.upperBound ?? (ys.max() ?? 1))
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * ph }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(left))\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>\n"
        // Axes and ticks.
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" stroke=\"#444\"/>\n"
        for t in SVGLineChart.ticks(y0, y1) {
            s += "<line x1=\"\(f(left))\" x2=\"\(f(left + pw))\" y1=\"\(f(py(t)))\" y2=\"\(f(py(t)))\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(f(left - 4))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(SVGLineChart.label(t))</text>\n"
        }
        for t in SVGLineChart.ticks(x0, x1) where t == t.rounded() {
            s += "<line x1=\"\(f(px(t)))\" x2=\"\(f(px(t)))\" y1=\"\(f(top + ph))\" y2=\"\(f(top + ph + 4))\" stroke=\"#444\"/>"
            s += "<text x=\"\(f(px(t)))\" y=\"\(f(top + ph + 16))\" text-anchor=\"middle\">\(SVGLineChart.label(t))</text>\n"
        }
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        s += "<text transform=\"translate(14,\(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        // Interval bands, then lines, then legend.
        for (i, se) in series.enumerated() {
            let c = SVGLineChart.palette[i % SVGLineChart.palette.count]
            let band = se.points.filter { ($0.low?.isFinite ?? false) && ($0.high?.isFinite ?? false) }
            if band.count > 1 {
                let upper = band.map { "\(f(px($0.x))),\(f(py($0.high!)))" }
                let lower = band.reversed().map { "\(f(px($0.x))),\(f(py($0.low!)))" }
                s += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(c)\" fill-opacity=\"0.12\" stroke=\"none\"/>\n"
            }
        }
        for (i, se) in series.enumerated() {
            let c = SVGLineChart.palette[i % SVGLineChart.palette.count]
            let pts = se.points.filter { $0.y.isFinite }.map { "\(f(px($0.x))),\(f(py($0.y)))" }
            if pts.count > 1 {
                s += "<polyline points=\"\(pts.joined(separator: " "))\" fill=\"none\" stroke=\"\(c)\" stroke-width=\"1.6\"/>\n"
            }
            for p in se.points where p.y.isFinite {
                s += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"2\" fill=\"\(c)\"><title>\(escape(se.name)) step \(SVGLineChart.label(p.x)): \(String(format: "%.4f", p.y))</title></circle>"
            }
            let ly = top + 8 + Double(i) * 14
            s += "\n<line x1=\"\(f(left + pw + 10))\" x2=\"\(f(left + pw + 28))\" y1=\"\(f(ly))\" y2=\"\(f(ly))\" stroke=\"\(c)\" stroke-width=\"2\"/>"
            s += "<text x=\"\(f(left + pw + 32))\" y=\"\(f(ly + 4))\" font-size=\"9\">\(escape(SVGLineChart.short(se.name)))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// "up_blocks.3.attentions.0.transformer_blocks.0.attn1" → "up3.att0" (legends stay narrow).
    static func short(_ name: String) -> String {
        let p = name.split(separator: ".")
        guard p.count >= 4, let first = p.first else { return name }
        let block = first.hasPrefix("down") ? "down\(p[1])" : first.hasPrefix("up") ? "up\(p[1])" : first.hasPrefix("mid") ? "mid" : String(first)
        if let i = p.firstIndex(of: "attentions"), i + 1 < p.count { return "\(block).att\(p[i + 1])" }
        return name
    }

    /// A y range with room: a flat one widened relative to its size (±0.5 vanishes next to 1e16, and a zero-width
    /// range would put NaN into the pixel coordinates), a non-finite one replaced by 0…1.
    static func padded(_ y0: Double, _ y1: Double) -> (Double, Double) {
        guard y0.isFinite, y1.isFinite else { return (0, 1) }
        let pad = max(0.5, max(abs(y0), abs(y1)) * 1e-6)
        guard y1 - y0 < 1e-9 || y1 - y0 < pad * 1e-9 else { return (y0, y1) }
        return (y0 - pad, y1 + pad)
    }

    static func ticks(_ a: Double, _ b: Double) -> [Double] {
        let span = b - a
        guard span > 0, span.isFinite else { return [a] }
        let raw = span / 5, mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        var t = ceil(a / step) * step, out: [Double] = []
        while t <= b + step * 1e-9 && out.count < 20 { out.append(t); t += step }
        return out
    }

    static func label(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e6 ? String(Int(v)) : String(format: "%.3g", v)
    }
}

func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

// StudyReport: the study's charts (plots/<property>_<metric>.svg and a .png twin for slides: metric against step,
// one line per layer, 95% bootstrap bands) and one self-contained report.html — charts with their controls beside
// them, a table of the last step, image grids (image | label | prediction at each step) and the run's manifest.
// Everything is inlined (SVG text, PNGs as data URIs), so the file can be mailed or opened offline.
import FileFormats
import Foundation
import PluginHost

public struct StudyReport {
    public var out: URL
    public var rows: [MetricRow]
    public var predictions: [PredictionRecord]
    public var properties: [(String, LabelKind)]
    public var split: DataSplit
    public var manifest: String
    public var runPath: String

    public init(out: URL, rows: [MetricRow], predictions: [PredictionRecord], properties: [(String, LabelKind)],
                split: DataSplit, manifest: String, runPath: String) {
        self.out = out
        self.rows = rows
        self.predictions = predictions
        self.properties = properties
        self.split = split
        self.manifest = manifest
        self.runPath = runPath
    }

    /// The chart of `property` (a base name or a control like depth:shuffled) and `metric`.
    public func chart(property: String, metric: String) -> SVGLineChart {
        let sel = rows.filter { $0.property == property && $0.metric == metric }
        var layers: [String] = []
        for r in sel where !layers.contains(r.layer) { layers.append(r.layer) }
        let series = layers.map { l in
            SVGLineChart.Series(name: l, points: sel.filter { $0.layer == l }.sorted { $0.step < $1.step }
                .map { SVGLineChart.Point(x: Double($0.step), y: $0.value, low: $0.ci_low, high: $0.ci_high) })
        }
        let range: ClosedRange<Double>? = metric == "dice" ? 0...1 : (metric == "rmse" ? nil : -1...1)
        return SVGLineChart(title: "\(property) — \(metric)", xLabel: "step (0-based UNet call)", yLabel: metric,
                            series: series, yRange: range)
    }

    public func write() throws {
        var html = """
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>ldmprobe study</title><style>
        body{font-family:sans-serif;margin:24px;max-width:1500px} h2{border-bottom:1px solid #ccc}
        .row{display:flex;flex-wrap:wrap;gap:12px} table{border-collapse:collapse;font-size:12px}
        td,th{border:1px solid #ccc;padding:3px 6px;text-align:right} td:first-child{text-align:left}
        .grid img{width:128px;height:128px;image-rendering:pixelated} .grid td{text-align:center;font-size:10px}
        pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:400px;font-size:11px}
        </style></head><body>
        <h1>ldmprobe probing study</h1>
        <p>Run: <code>\(escape(runPath))</code>. Split: \(escape(split.description)) — \(split.train.count) training,
        \(split.test.count) test images. Each point is a per-test-image mean; bands are 95% bootstrap intervals.
        Controls: <b>:shuffled</b> = the same probe trained on labels permuted across training images;
        <b>:permuted</b> = the same study on a UNet whose weight tensors were permuted.</p>

        """
        let allProperties = Set(rows.map(\.property))
        for (name, kind) in properties {
            html += "<h2>\(escape(name)) (\(kind.rawValue))</h2>\n"
            let metrics = kind == .binary ? ["dice"] : ["spearman", "pearson", "rmse"]
            for m in metrics {
                html += "<div class=\"row\">"
                for p in [name, name + ":shuffled", name + ":permuted"] where allProperties.contains(p) {
                    let c = chart(property: p, metric: m)
                    let svg = c.render()
                    let file = "plots/\(p.replacingOccurrences(of: ":", with: "_"))_\(m)"
                    try AtomicFile.write(svg, to: SafePath.join(out, file + ".svg", what: "chart of label '\(p)'"))
                    try PNGLineChart(c).render().write(to: SafePath.join(out, file + ".png", what: "chart of label '\(p)'"))
                    html += "<div>\(svg)</div>"
                }
                html += "</div>\n"
            }
            html += lastStepTable(name, metrics)
            html += try grid(name)
        }
        html += "<h2>Run manifest</h2><pre>\(escape(manifest.isEmpty ? "(no manifest.json in the run folder)" : manifest))</pre>\n"
        html += "</body></html>\n"
        try AtomicFile.write(html, to: out.appendingPathComponent("report.html"))
    }

    func lastStepTable(_ name: String, _ metrics: [String]) -> String {
        let sel = rows.filter { $0.property == name }
        guard let last = sel.map(\.step).max() else { return "" }
        var layers: [String] = []
        for r in sel where !layers.contains(r.layer) { layers.append(r.layer) }
        let variants = [name, name + ":shuffled", name + ":permuted"].filter { v in rows.contains { $0.property == v } }
        var s = "<p>Step \(last):</p><table><tr><th>layer</th>"
        for v in variants { for m in metrics { s += "<th>\(escape(v)) \(m)</th>" } }
        s += "</tr>\n"
        for l in layers {
            s += "<tr><td>\(escape(l))</td>"
            for v in variants {
                for m in metrics {
                    if let r = rows.first(where: { $0.property == v && $0.metric == m && $0.layer == l && $0.step == last }) {
                        s += String(format: "<td>%.3f [%.3f, %.3f] n=%d</td>", r.value, r.ci_low, r.ci_high, r.n)
                    } else { s += "<td></td>" }
                }
            }
            s += "</tr>\n"
        }
        return s + "</table>\n"
    }

    func grid(_ name: String) throws -> String {
        let sel = predictions.filter { $0.property == name }
        guard !sel.isEmpty else { return "" }
        var s = ""
        var layers: [String] = []
        for r in sel where !layers.contains(r.layer) { layers.append(r.layer) }
        for layer in layers {
            let lsel = sel.filter { $0.layer == layer }
            let steps = Array(Set(lsel.map(\.step))).sorted()
            var ids: [String] = []
            for r in lsel where !ids.contains(r.id) { ids.append(r.id) }
            s += "<h3>\(escape(name)) predictions — \(escape(layer))</h3><table class=\"grid\"><tr><td>image</td><td>label</td>"
            for st in steps { s += "<td>step \(st)</td>" }
            s += "</tr>\n"
            for id in ids {
                let image = URL(fileURLWithPath: runPath).appendingPathComponent("images/\(id).png")
                s += "<tr><td>\(img(image))<br>\(escape(id))</td>"
                s += "<td>\(img(out.appendingPathComponent("predictions/\(name)/label_\(id).png")))</td>"
                for st in steps {
                    let r = lsel.first { $0.id == id && $0.step == st }
                    s += "<td>\(r.map { img(out.appendingPathComponent($0.path)) } ?? "")</td>"
                }
                s += "</tr>\n"
            }
            s += "</table>\n"
        }
        return s
    }

    func img(_ url: URL) -> String {
        guard let d = try? Data(contentsOf: url) else { return "—" }
        return "<img src=\"data:image/png;base64,\(d.base64EncodedString())\">"
    }
}

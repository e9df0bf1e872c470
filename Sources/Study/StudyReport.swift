// StudyReport: one self-contained report.html per study, laid out like the papers' figures. Per property: the
// headline in words (best layer at the last step, its margin over the strongest control, the first step at which
// that margin is significant, the token-grid cap); layer × step heatmaps of the metric and of the gap over the
// strongest control; the best layer's curve against step with every control on the same axes (95% bootstrap
// bands); a table of the last step; a few test images as image · label · prediction (in colour, with a colour
// bar, and over the image). A key gives each layer's full name. Charts are also written to plots/ as SVG and PNG
// (plots/<property>_<metric>.svg: one line per layer, as before). Everything is inlined, so the file can be mailed
// or opened offline; nothing is wider than 1280 px.
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
    /// Gaps over the controls (gaps.csv); none → the report shows no gap.
    public var gaps: [ControlGap]

    public init(out: URL, rows: [MetricRow], predictions: [PredictionRecord], properties: [(String, LabelKind)],
                split: DataSplit, manifest: String, runPath: String, gaps: [ControlGap] = []) {
        self.out = out
        self.rows = rows
        self.predictions = predictions
        self.properties = properties
        self.split = split
        self.manifest = manifest
        self.runPath = runPath
        self.gaps = gaps
    }

    /// The chart of `property` (a base name or a control like depth:shuffled) and `metric`: one line per layer.
    public func chart(property: String, metric: String) -> SVGLineChart {
        let sel = rows.filter { $0.property == property && $0.metric == metric && $0.step >= 0 }
        let series = layers(sel).map { l in
            SVGLineChart.Series(name: l, points: sel.filter { $0.layer == l }.sorted { $0.step < $1.step }
                .map { SVGLineChart.Point(x: Double($0.step), y: $0.value, low: $0.ci_low, high: $0.ci_high) })
        }
        return SVGLineChart(title: "\(property) — \(metric)", xLabel: "step (0-based UNet call)", yLabel: metric,
                            series: series, yRange: StudyReport.yRange(metric))
    }

    static func yRange(_ metric: String) -> ClosedRange<Double>? {
        metric == "dice" ? 0...1 : (metric == "rmse" ? nil : -1...1)
    }

    /// Layers in order of first appearance (layer "" — the controls that hold everywhere — left out).
    func layers(_ sel: [MetricRow]) -> [String] {
        var out: [String] = []
        for r in sel where !r.layer.isEmpty && !out.contains(r.layer) { out.append(r.layer) }
        return out
    }

    public func write() throws {
        var html = """
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>ldmprobe study</title><style>
        body{font-family:sans-serif;margin:16px;max-width:1248px} h2{border-bottom:1px solid #ccc}
        .row{display:flex;flex-wrap:wrap;gap:8px} table{border-collapse:collapse;font-size:12px}
        td,th{border:1px solid #ccc;padding:3px 6px;text-align:right} td:first-child{text-align:left}
        .key td{text-align:left}
        .grid img{image-rendering:pixelated} .grid td{text-align:center;font-size:10px}
        .empty{color:#888} .headline{background:#f3f7ff;padding:8px;border-left:4px solid #1f77b4}
        svg{max-width:100%;height:auto} pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:400px;font-size:11px}
        </style></head><body>
        <h1>ldmprobe probing study</h1>
        <p>Run: <code>\(escape(runPath))</code>. Split: \(escape(split.description)) — \(split.train.count) training,
        \(split.test.count) test images. Each value is a per-test-image mean; intervals and bands are 95% bootstrap
        intervals over test images.</p>
        <p>Controls: <b>shuffled</b> — the same probe trained on labels permuted across training images;
        <b>permuted</b> — the same study on a UNet whose weight tensors were permuted; <b>layout</b> — no
        activations: the training images' mean label per pixel (binary: thresholded at 0.5, as probe outputs are).
        <b>cap</b> (not a control) — the exact label averaged over each token of the finest probed layer's grid,
        upsampled nearest and thresholded: the best a per-token probe can reach. The <b>gap</b> is the paired
        per-image difference probe − control (control − probe for rmse), over the <i>strongest</i> control (best
        mean) of each cell, with a paired bootstrap interval.</p>

        """
        html += layerKey()
        let summaries = StudySummary.make(rows: rows, gaps: gaps)
        for (name, kind) in properties {
            html += "<h2>\(escape(name)) (\(kind.rawValue))</h2>\n"
            let summary = summaries.first { $0.property == name }
            if let summary {
                html += "<p class=\"headline\">\(StudyReport.headline(summary))</p>\n"
                html += try figures(summary)
            }
            let metrics = kind == .binary ? ["dice"] : ["spearman", "pearson", "rmse"]
            html += lastStepTable(name, metrics)
            html += try grid(name, kind)
            html += try perLayerCharts(name, metrics)
        }
        html += "<h2>Run manifest</h2><pre>\(escape(manifest.isEmpty ? "(no manifest.json in the run folder)" : manifest))</pre>\n"
        html += "</body></html>\n"
        try AtomicFile.write(html, to: out.appendingPathComponent("report.html"))
    }

    /// plots/<property>_<metric>.svg/.png for the property and each of its controls (one line per layer), in a
    /// collapsed section.
    func perLayerCharts(_ name: String, _ metrics: [String]) throws -> String {
        var variants = [name]
        for r in rows where r.property.hasPrefix(name + ":") && r.step >= 0 && !variants.contains(r.property) {
            variants.append(r.property)
        }
        var html = "<details><summary>Every layer against step (\(escape(variants.joined(separator: ", "))))</summary>\n"
        for m in metrics {
            html += "<div class=\"row\">"
            for p in variants {
                let c = chart(property: p, metric: m)
                let svg = c.render()
                let file = "plots/\(p.replacingOccurrences(of: ":", with: "_"))_\(m)"
                try AtomicFile.write(svg, to: out.appendingPathComponent(file + ".svg"))
                try PNGLineChart(c).render().write(to: out.appendingPathComponent(file + ".png"))
                html += "<div>\(svg)</div>"
            }
            html += "</div>\n"
        }
        return html + "</details>\n"
    }
}

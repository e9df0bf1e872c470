// The report's tables: the layer key (short name → full name), the last step per layer with every control, and
// the prediction grids (image · label over the image · prediction in colour at a few steps · prediction over the
// image at the last step).
import Foundation
import PluginHost

extension StudyReport {
    func layerKey() -> String {
        let all = layers(rows)
        guard all.contains(where: { SVGLineChart.short($0) != $0 }) else { return "" }
        var s = "<details open><summary>Layer key (charts use the short names)</summary><table class=\"key\"><tr><th>short</th>"
            + "<th>layer</th></tr>\n"
        for l in all { s += "<tr><td>\(escape(SVGLineChart.short(l)))</td><td><code>\(escape(l))</code></td></tr>\n" }
        return s + "</table></details>\n"
    }

    /// A table cell: value [interval] n, or why there is none.
    static func cell(_ r: MetricRow?) -> String {
        guard let r else { return "<td class=\"empty\">not run</td>" }
        if r.n == 0 || !r.value.isFinite {
            return "<td class=\"empty\" title=\"every test image's map was constant, so the correlation is undefined\">"
                + "undefined (constant maps)</td>"
        }
        return String(format: "<td>%.3f [%.3f, %.3f] n=%d</td>", r.value, r.ci_low, r.ci_high, r.n)
    }

    func lastStepTable(_ name: String, _ metrics: [String]) -> String {
        let sel = rows.filter { $0.property == name && $0.step >= 0 }
        guard let last = sel.map(\.step).max() else { return "" }
        var variants = [name]
        for r in rows where r.property.hasPrefix(name + ":") && r.step >= 0 && !variants.contains(r.property) {
            variants.append(r.property)
        }
        var s = "<p>Step \(last), every layer:</p><table><tr><th>layer</th>"
        for v in variants { for m in metrics { s += "<th>\(escape(v)) \(m)</th>" } }
        s += "</tr>\n"
        for l in layers(sel) {
            s += "<tr><td title=\"\(escape(l))\">\(escape(SVGLineChart.short(l)))</td>"
            for v in variants {
                for m in metrics {
                    s += StudyReport.cell(rows.first { $0.property == v && $0.metric == m && $0.layer == l && $0.step == last })
                }
            }
            s += "</tr>\n"
        }
        s += "</table>\n"
        let everywhere = rows.filter { $0.property.hasPrefix(name + ":") && $0.step < 0 }
        if !everywhere.isEmpty {
            s += "<p>Without activations (the same at every layer and step):</p><table><tr><th>reference</th>"
            for m in metrics { s += "<th>\(m)</th>" }
            s += "</tr>\n"
            var names: [String] = []
            for r in everywhere where !names.contains(r.property) { names.append(r.property) }
            for p in names {
                s += "<tr><td>\(escape(p))</td>"
                for m in metrics { s += StudyReport.cell(everywhere.first { $0.property == p && $0.metric == m }) }
                s += "</tr>\n"
            }
            s += "</table>\n"
        }
        return s
    }

    /// Up to `count` steps spread evenly, the last included.
    static func spread(_ steps: [Int], count: Int) -> [Int] {
        guard steps.count > count, count > 1 else { return steps }
        return (0..<count).map { steps[$0 * (steps.count - 1) / (count - 1)] }
    }

    func grid(_ name: String, _ kind: LabelKind) throws -> String {
        let sel = predictions.filter { $0.property == name }
        guard !sel.isEmpty else { return "" }
        var s = ""
        var layerNames: [String] = []
        for r in sel where !layerNames.contains(r.layer) { layerNames.append(r.layer) }
        let size = 112
        for layer in layerNames {
            let lsel = sel.filter { $0.layer == layer }
            let steps = StudyReport.spread(Array(Set(lsel.map(\.step))).sorted(), count: 6)
            var ids: [String] = []
            for r in lsel where !ids.contains(r.id) { ids.append(r.id) }
            s += "<h3>\(escape(name)) predictions — \(escape(SVGLineChart.short(layer))) (<code>\(escape(layer))</code>)</h3>"
            s += "<table class=\"grid\"><tr><td>image</td><td>label over image</td>"
            for st in steps { s += "<td>prediction, step \(st)</td>" }
            s += "<td>prediction over image, step \(steps.last ?? 0)</td></tr>\n"
            for id in ids {
                let image = URL(fileURLWithPath: runPath).appendingPathComponent("images/\(id).png")
                guard let panel = PredictionPanel(kind: kind, labelPNG: out.appendingPathComponent("predictions/\(name)/label_\(id).png"),
                                                  imagePNG: image) else { continue }
                s += "<tr><td>\(PredictionPanel.img(panel.imagePNG, size: size, title: id))<br>\(escape(id))</td>"
                s += "<td>\(PredictionPanel.img(panel.overlay(panel.label) ?? panel.colored(panel.label), size: size, title: "label"))</td>"
                var lastGrey: [UInt8]?
                for st in steps {
                    let grey = lsel.first { $0.id == id && $0.step == st }.flatMap { panel.prediction(out.appendingPathComponent($0.path)) }
                    lastGrey = grey
                    s += "<td>\(grey.map { PredictionPanel.img(panel.colored($0), size: size, title: "step \(st)") } ?? "—")</td>"
                }
                s += "<td>\(lastGrey.flatMap { panel.overlay($0) }.map { PredictionPanel.img($0, size: size, title: "over image") } ?? "—")</td></tr>\n"
            }
            s += "</table>\n"
        }
        let bar = kind == .binary
            ? PredictionPanel.colorBar(low: "0", high: "1", caption: "P(foreground); over the image: P > 0.5 in red")
            : PredictionPanel.colorBar(low: "min", high: "max", caption: "the image's label range (min → max)")
        return s + "<p>\(bar)</p>\n"
    }
}

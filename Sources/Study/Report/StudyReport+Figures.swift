// The report's figures of one property: the headline sentence, the layer × step heatmaps (metric; gap over the
// strongest control) and the best-layer curve with every control and the cap.
import FileFormats
import Foundation

extension StudyReport {
    static func interval(_ r: MetricRow) -> String {
        r.n == 0 || !r.value.isFinite ? "undefined (n = 0)"
            : String(format: "%.3f [%.3f, %.3f]", r.value, r.ci_low, r.ci_high)
    }

    static func interval(_ g: MeanInterval) -> String {
        g.n == 0 || !g.value.isFinite ? "undefined (no image with both values)"
            : String(format: "%+.3f [%+.3f, %+.3f]", g.value, g.low, g.high)
    }

    /// The property's finding in words.
    static func headline(_ s: StudySummary) -> String {
        guard let last = s.last else { return "No defined \(s.metric) value at any step." }
        var t = "At the last step (\(last.step)), the best layer is <b>\(escape(SVGLineChart.short(last.layer)))</b> "
            + "(<code>\(escape(last.layer))</code>) with \(s.metric) <b>\(interval(last.probe))</b>"
        if last.controls.isEmpty {
            t += ". No control was run, so there is no gap to report."
        } else {
            t += "; controls there: " + last.controls.map { "\(escape($0.name)) \(interval($0.row))" }.joined(separator: ", ")
            if let g = last.gap {
                t += ". Gap over the strongest control (\(escape(g.control))): <b>\(interval(g.gap))</b>."
            }
            if let k = s.firstSignificantStep {
                t += " The gap over the strongest control is first significant (95% interval above 0) at "
                    + "<b>step \(k)</b> (best layer of that step: \(escape(SVGLineChart.short(s.curve.first { $0.step == k }?.layer ?? "")))); "
                    + "it is significant at \(s.significantSteps.count) of \(s.curve.count) steps "
                    + "(\(s.significantSteps.map(String.init).joined(separator: ", ")))"
                    + (s.significantSteps.last == last.step ? ", the last included." : ", <b>not</b> at the last step.")
            } else {
                t += " The gap over the strongest control is <b>not significant at any step</b> (its 95% interval "
                    + "always includes 0 or lies below it)."
            }
        }
        if let cap = s.cap {
            t += " Token-grid cap (the best Dice a per-token probe can reach): \(interval(cap))."
        }
        return t
    }

    /// Heatmaps and the best-layer curve (also written to plots/).
    func figures(_ s: StudySummary) throws -> String {
        let probe = rows.filter { $0.property == s.property && $0.metric == s.metric && $0.step >= 0 }
        let layerNames = layers(probe)
        let steps = Array(Set(probe.map(\.step))).sorted()
        let values = layerNames.map { l in
            steps.map { st in probe.first { $0.layer == l && $0.step == st && $0.n > 0 && $0.value.isFinite }?.value }
        }
        let defined = values.flatMap { $0 }.compactMap { $0 }
        let lo = StudyReport.yRange(s.metric)?.lowerBound ?? (defined.min() ?? 0)
        let hi = StudyReport.yRange(s.metric)?.upperBound ?? (defined.max() ?? 1)
        let why = s.metric == "dice" ? "no test image"
            : "\(s.metric) undefined on every test image (the layer's prediction is a constant map, e.g. a 1×1 "
            + "layer, and a constant map has no correlation)"
        var html = "<div class=\"row\">"
        let metricMap = StudyHeatmap(title: "\(s.property) — \(s.metric) per layer and step", layers: layerNames,
                                     steps: steps, values: values, range: lo...max(hi, lo + 1e-9), scale: .sequential,
                                     emptyReason: why)
        html += try figure(metricMap.svg(), metricMap.png(scale: metricMap.pngScale), "\(s.property)_\(s.metric)_heatmap",
                           caption: values.joined().contains { $0 == nil } ? "Grey cells (—): \(why)." : nil)
        let strongest = gaps.filter { $0.property == s.property && $0.metric == s.metric && $0.strongest }
        if !strongest.isEmpty {
            let g = layerNames.map { l in
                steps.map { st in strongest.first { $0.layer == l && $0.step == st && $0.gap.n > 0 }?.gap.value }
            }
            let m = max(g.flatMap { $0 }.compactMap { $0 }.map(abs).max() ?? 0.1, 1e-3)
            let gapMap = StudyHeatmap(title: "\(s.property) — gap over the strongest control", layers: layerNames,
                                      steps: steps, values: g, range: -m...m, scale: .diverging,
                                      emptyReason: "no control with values on the same images")
            html += try figure(gapMap.svg(), gapMap.png(scale: gapMap.pngScale), "\(s.property)_gap_heatmap",
                               caption: "Red: the probe beats the strongest control of the cell; blue: it does not.")
        }
        html += "</div>\n<div class=\"row\">"
        let curve = bestLayerChart(s)
        html += try figure(curve.render(), PNGLineChart(curve).render(), "\(s.property)_best_layer")
        return html + "</div>\n"
    }

    func figure(_ svg: String, _ png: PNGImage, _ file: String, caption: String? = nil) throws -> String {
        try AtomicFile.write(svg, to: out.appendingPathComponent("plots/\(file).svg"))
        try png.write(to: out.appendingPathComponent("plots/\(file).png"))
        return "<div>\(svg)" + (caption.map { "<p class=\"empty\">\(escape($0))</p>" } ?? "") + "</div>"
    }

    /// The best layer of each step, every control at the same cell and the cap, against step.
    func bestLayerChart(_ s: StudySummary) -> SVGLineChart {
        func point(_ step: Int, _ r: MetricRow) -> SVGLineChart.Point {
            SVGLineChart.Point(x: Double(step), y: r.n > 0 ? r.value : .nan, low: r.ci_low, high: r.ci_high)
        }
        var series = [SVGLineChart.Series(name: "probe (best layer)", points: s.curve.map { point($0.step, $0.probe) })]
        var names: [String] = []
        for p in s.curve { for c in p.controls where !names.contains(c.name) { names.append(c.name) } }
        for c in names {
            series.append(SVGLineChart.Series(name: c, points: s.curve.compactMap { p in
                p.controls.first { $0.name == c }.map { point(p.step, $0.row) }
            }))
        }
        if let cap = s.cap { series.append(SVGLineChart.Series(name: "cap", points: s.curve.map { point($0.step, cap) })) }
        // The object word's cross-attention map (WordMapStudy: `<property>:wordmap`): step by step (layer daam),
        // and DAAM's all-steps map as a level line like the cap (layer daam-all-steps).
        let words = rows.filter { $0.property == s.property + ":wordmap" && $0.metric == s.metric && $0.step >= 0 }
            .sorted { $0.step < $1.step }
        let perStep = words.filter { $0.layer == "daam" }
        if !perStep.isEmpty {
            series.append(SVGLineChart.Series(name: "word map (DAAM, that step)", points: perStep.map { point($0.step, $0) }))
        }
        if let all = words.first(where: { $0.layer == "daam-all-steps" }) {
            series.append(SVGLineChart.Series(name: "word map (DAAM, all steps)", points: s.curve.map { point($0.step, all) }))
        }
        return SVGLineChart(title: "\(s.property) — best layer per step, with controls", xLabel: "step (0-based UNet call)",
                            yLabel: s.metric, series: series, yRange: StudyReport.yRange(s.metric))
    }
}

// The index page's per-sampler sections, read from the files the stages wrote: the study's summary table
// (StudySummary over metrics.csv and gaps.csv), a strip of generated images, and the classifier's top-1
// accuracy per step with its 95% bootstrap interval. A missing or unreadable file leaves a line saying so.
import Foundation

extension PipelineIndex {
    static func summaryTable(study: URL, link: String) -> String {
        guard let rows = try? MetricRow.read(csv: study.appendingPathComponent("metrics.csv")) else {
            return "<p class=\"empty\">No study results (metrics.csv missing).</p>\n"
        }
        let gaps = (try? ControlGap.read(study.appendingPathComponent("gaps.csv"))) ?? []
        let summaries = StudySummary.make(rows: rows, gaps: gaps)
        guard !summaries.isEmpty else { return "<p class=\"empty\">The study has no probe rows.</p>\n" }
        var s = "<table class=\"summary\"><tr><th>property</th><th>best layer, last step</th><th>metric [95% CI]</th>"
            + "<th>controls there</th><th>strongest control</th><th>gap over it [95% CI]</th>"
            + "<th>first significant step</th><th>token-grid cap</th></tr>\n"
        for sum in summaries {
            guard let last = sum.last else {
                s += "<tr><td>\(escape(sum.property))</td><td colspan=\"7\" class=\"empty\">no defined \(sum.metric) at any step</td></tr>\n"
                continue
            }
            let controls = last.controls.map { "\(escape($0.name)) \(StudyReport.interval($0.row))" }.joined(separator: "<br>")
            s += "<tr><td>\(escape(sum.property))</td>"
                + "<td title=\"\(escape(last.layer))\">\(escape(SVGLineChart.short(last.layer))) (step \(last.step))</td>"
                + "<td>\(sum.metric) \(StudyReport.interval(last.probe))</td>"
                + "<td>\(controls.isEmpty ? "none run" : controls)</td>"
                + "<td>\(last.gap.map { escape($0.control) } ?? "—")</td>"
                + "<td>\(last.gap.map { StudyReport.interval($0.gap) } ?? "—")</td>"
                + "<td>\(significance(sum, last: last.step, hasGap: last.gap != nil))</td>"
                + "<td>\(sum.cap.map(StudyReport.interval) ?? "—")</td></tr>\n"
        }
        return s + "</table><p>From <a href=\"\(link)\">the study's report</a>: the best layer per step is the one "
            + "with the best mean; the gap is probe − strongest control there, paired per image.</p>\n"
    }

    /// "step k (n of M steps, the last included)", "none", or "—" without a control.
    static func significance(_ sum: StudySummary, last: Int, hasGap: Bool) -> String {
        guard let first = sum.firstSignificantStep else { return hasGap ? "none" : "—" }
        let steps = sum.significantSteps
        return "step \(first) (\(steps.count) of \(sum.curve.count) steps, "
            + (steps.last == last ? "the last included)" : "<b>not</b> the last)")
    }

    static func imageStrip(run: URL, link: String, count: Int = 12) -> String {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("images").path)) ?? [])
            .filter { $0.hasSuffix(".png") }.sorted()
        guard !files.isEmpty else { return "<p class=\"empty\">No generated images in the run folder.</p>\n" }
        var s = "<p class=\"strip\">"
        for f in files.prefix(count) {
            s += "<a href=\"\(escape(link))/\(escape(f))\"><img src=\"\(escape(link))/\(escape(f))\" width=\"96\" "
                + "height=\"96\" title=\"\(escape(f))\" alt=\"\"></a>"
        }
        return s + "</p><p>\(min(count, files.count)) of \(files.count) generated images.</p>\n"
    }

    static func accuracy(_ folder: URL, sampler: String) -> String {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("classification.json")),
              let report = try? d.decode(StepClassificationReport.self, from: data) else {
            return "<p class=\"empty\">No classification results (classification.json missing or unreadable).</p>\n"
        }
        var s = ""
        for kind in report.kinds {
            let top1 = report.top1Intervals(kind: kind)
            guard let last = top1.last else { continue }
            let chart = SVGLineChart(
                title: "\(sampler): \(report.classifier) top-1 accuracy per step (\(kind))", xLabel: "step (0-based UNet call)",
                yLabel: "top-1 accuracy",
                series: [SVGLineChart.Series(name: "top-1 (n=\(last.n))", points: top1.enumerated().map {
                    SVGLineChart.Point(x: Double($0.offset), y: $0.element.value, low: $0.element.low, high: $0.element.high)
                })], yRange: 0...1)
            s += "<div>\(chart.render())</div><p>Top-1 at the last step: "
                + (last.n == 0 ? "no image has a target class" : String(format: "%.2f [%.2f, %.2f] over %d images",
                                                                        last.value, last.low, last.high, last.n))
                + " (band: 95% bootstrap interval over images).</p>\n"
        }
        return s
    }
}

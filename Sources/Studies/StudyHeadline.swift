// The headline numbers a command prints at the end, from the study folder's metrics.csv and gaps.csv: per property,
// the best layer at the last step, its value with interval, the strongest control and the gap over it, and the
// first step at which that gap is significant (Study.StudySummary, the same numbers the report and index show).
import Foundation
import Study

public enum StudyHeadline {
    public static func text(study: URL) -> String {
        guard let rows = try? MetricRow.read(csv: study.appendingPathComponent("metrics.csv")) else { return "" }
        let gaps = (try? ControlGap.read(study.appendingPathComponent("gaps.csv"))) ?? []
        let lines = StudySummary.make(rows: rows, gaps: gaps).compactMap { s -> String? in
            guard let last = s.last else { return nil }
            let p = last.probe
            var line = String(format: "%@ %@ %.3f [%.3f, %.3f] at %@ step %d", s.property, s.metric, p.value,
                              p.ci_low, p.ci_high, last.layer, last.step)
            if let g = last.gap {
                line += String(format: "; strongest control %@ %.3f, gap %+.3f [%+.3f, %+.3f]", g.control,
                               g.controlMean, g.gap.value, g.gap.low, g.gap.high)
                line += s.firstSignificantStep.map { "; significant from step \($0)" } ?? "; never significant"
            }
            return line
        }
        return lines.isEmpty ? "" : "\n" + lines.joined(separator: "\n")
    }
}

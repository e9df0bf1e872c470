// The headline numbers a command prints at the end: per property, the best held-out value of its first metric
// (Dice for masks, Spearman for maps) and where it was reached, next to its controls at that cell.
import Foundation
import Study

public enum StudySummary {
    public static func headline(_ rows: [MetricRow]) -> String {
        let plain = rows.filter { !$0.property.contains(":") && $0.value.isFinite }
        var out: [String] = []
        for property in Array(Set(plain.map(\.property))).sorted() {
            let mine = plain.filter { $0.property == property }
            guard let metric = mine.first?.metric,
                  let best = mine.filter({ $0.metric == metric }).max(by: { $0.value < $1.value }) else { continue }
            var s = String(format: "%@ best %@ %.3f at %@ call %d", property, metric, best.value, best.layer, best.step)
            for control in ["shuffled", "permuted"] {
                if let c = rows.first(where: { $0.property == property + ":" + control && $0.metric == metric
                    && $0.layer == best.layer && $0.step == best.step }) {
                    s += String(format: " (%@ %.3f)", control, c.value)
                }
            }
            out.append(s)
        }
        return out.isEmpty ? "" : "\n" + out.joined(separator: "\n")
    }
}

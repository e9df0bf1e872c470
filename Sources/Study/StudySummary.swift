// The headline of a study per property, from metrics.csv and gaps.csv alone: the headline metric (dice for a
// binary property, else spearman), the best layer at the last step with its value and interval, every control's
// value there, the strongest control and the gap over it with its interval, the token-grid cap, and the first
// step whose best layer's gap over its strongest control has an interval above 0. "Best layer" of a step: the
// layer with the best mean at that step (chosen on the test images, so slightly optimistic; the controls are
// read at the same cell).
import Foundation

public struct StudySummary {
    /// One step of the best-layer curve.
    public struct Point {
        public var step: Int
        public var layer: String
        public var probe: MetricRow
        /// Each control's row at that cell (or its everywhere-row), in the property's control order.
        public var controls: [(name: String, row: MetricRow)]
        /// The gap over the strongest control (nil: no control).
        public var gap: ControlGap?
    }

    public var property: String
    public var metric: String
    /// The best layer per step, in step order.
    public var curve: [Point]
    public var cap: MetricRow?
    /// First step at which the gap's interval lies above 0 (nil: none).
    public var firstSignificantStep: Int? {
        curve.first { ($0.gap?.gap.low ?? -.infinity) > 0 }?.step
    }
    /// Every step at which that gap's interval lies above 0.
    public var significantSteps: [Int] {
        curve.filter { ($0.gap?.gap.low ?? -.infinity) > 0 }.map(\.step)
    }
    public var last: Point? { curve.last }

    /// The headline metric of a property whose rows carry `metrics`.
    public static func headline(_ metrics: [String]) -> String? {
        metrics.contains("dice") ? "dice" : metrics.contains("spearman") ? "spearman" : metrics.first
    }

    /// One summary per probed property (rows without `:`), in the order they first appear.
    public static func make(rows: [MetricRow], gaps: [ControlGap]) -> [StudySummary] {
        var names: [String] = []
        for r in rows where !r.property.contains(":") && !names.contains(r.property) { names.append(r.property) }
        return names.compactMap { make(property: $0, rows: rows, gaps: gaps) }
    }

    public static func make(property: String, rows: [MetricRow], gaps: [ControlGap]) -> StudySummary? {
        let own = rows.filter { $0.property == property }
        var metrics: [String] = []
        for r in own where !metrics.contains(r.metric) { metrics.append(r.metric) }
        guard let metric = headline(metrics) else { return nil }
        let sign = ControlGap.higherIsBetter(metric) ? 1.0 : -1.0
        let probe = own.filter { $0.metric == metric && $0.value.isFinite }
        var controlNames: [String] = []
        for r in rows where r.property.hasPrefix(property + ":") && r.metric == metric {
            let c = String(r.property.dropFirst(property.count + 1))
            if ControlGap.isControl(c) && !controlNames.contains(c) { controlNames.append(c) }
        }
        let curve = Array(Set(probe.map(\.step))).sorted().compactMap { step -> Point? in
            guard let best = probe.filter({ $0.step == step }).max(by: { sign * $0.value < sign * $1.value }) else {
                return nil
            }
            let controls = controlNames.compactMap { c -> (name: String, row: MetricRow)? in
                let name = property + ":" + c
                let row = rows.first { $0.property == name && $0.metric == metric && $0.layer == best.layer && $0.step == step }
                    ?? rows.first { $0.property == name && $0.metric == metric && $0.layer == "" && $0.step == -1 }
                return row.map { (c, $0) }
            }
            let gap = gaps.first { $0.property == property && $0.metric == metric && $0.layer == best.layer
                && $0.step == step && $0.strongest }
            return Point(step: step, layer: best.layer, probe: best, controls: controls, gap: gap)
        }
        let cap = rows.first { $0.property == property + ":cap" && $0.metric == metric }
        return StudySummary(property: property, metric: metric, curve: curve, cap: cap)
    }
}

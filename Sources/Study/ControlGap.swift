// The probe's margin over each control, image by image: for every (property, metric, layer, step) and every
// control of that property (any `PROPERTY:CONTROL` rows — shuffled, permuted, layout, …; the `:cap` upper
// reference is not a control), the paired per-test-image difference probe − control (control − probe for rmse,
// where lower is better, so a positive gap always favours the probe), over the images where both are defined.
// Its mean and 95% bootstrap interval resample images, so the pairing is kept. The strongest control of a cell is
// the one with the best mean. A control without a row at the cell but with one at layer "", step −1 (`:layout`)
// holds at every cell. Written as gaps.csv:
//   property,metric,layer,step,control,control_mean,strongest,gap,ci_low,ci_high,n
import Foundation

public struct ControlGap: Equatable {
    public var property: String
    public var metric: String
    public var layer: String
    public var step: Int
    public var control: String
    public var controlMean: Double
    public var strongest: Bool
    public var gap: MeanInterval

    /// Whether a larger value of `metric` is better (all but rmse).
    public static func higherIsBetter(_ metric: String) -> Bool { metric != "rmse" }

    /// Controls are every suffix but the cap (an upper reference).
    public static func isControl(_ suffix: String) -> Bool { !suffix.isEmpty && suffix != "cap" }

    /// Gaps of every probe cell of `values` (per_image_metrics) over each of its property's controls, in the
    /// order of the probe's rows; the controls of a cell in order of first appearance.
    public static func compute(_ values: [PerImageMetric], seed: UInt64, resamples: Int) -> [ControlGap] {
        struct Key: Hashable { let property: String, control: String, layer: String, step: Int, metric: String }
        var cells: [Key] = []
        var byKey: [Key: [(image: String, value: Double?)]] = [:]
        var controls: [String: [String]] = [:]
        for v in values {
            let k = Key(property: v.property, control: v.control, layer: v.layer, step: v.step, metric: v.metric)
            if byKey[k] == nil {
                if v.control.isEmpty { cells.append(k) }
                if isControl(v.control) && !(controls[v.property] ?? []).contains(v.control) {
                    controls[v.property, default: []].append(v.control)
                }
            }
            byKey[k, default: []].append((v.image, v.value))
        }
        var out: [ControlGap] = []
        for cell in cells {
            let probe = byKey[cell] ?? []
            let sign = higherIsBetter(cell.metric) ? 1.0 : -1.0
            var candidates: [ControlGap] = []
            for c in controls[cell.property] ?? [] {
                let own = Key(property: cell.property, control: c, layer: cell.layer, step: cell.step, metric: cell.metric)
                let everywhere = Key(property: cell.property, control: c, layer: "", step: -1, metric: cell.metric)
                guard let ctrl = byKey[own] ?? byKey[everywhere] else { continue }
                var byImage: [String: Double] = [:]
                for (id, v) in ctrl { if let v { byImage[id] = v } }
                let diffs = probe.compactMap { p -> Double? in
                    guard let a = p.value, let b = byImage[p.image] else { return nil }
                    return sign * (a - b)
                }
                let defined = ctrl.compactMap(\.value)
                let mean = defined.isEmpty ? Double.nan : defined.reduce(0, +) / Double(defined.count)
                let s = PerImageMetric.rowSeed(seed ^ 0x4741_5053, step: cell.step, index: out.count + candidates.count)
                candidates.append(ControlGap(property: cell.property, metric: cell.metric, layer: cell.layer,
                                             step: cell.step, control: c, controlMean: mean, strongest: false,
                                             gap: Bootstrap.meanInterval(diffs, resamples: resamples, seed: s)))
            }
            // The strongest: the best mean (an undefined mean never wins).
            if let best = candidates.indices.filter({ candidates[$0].controlMean.isFinite })
                .max(by: { sign * candidates[$0].controlMean < sign * candidates[$1].controlMean }) {
                candidates[best].strongest = true
            }
            out += candidates
        }
        return out
    }

    static let header = ["property", "metric", "layer", "step", "control", "control_mean", "strongest", "gap",
                         "ci_low", "ci_high", "n"]

    public static func write(_ gaps: [ControlGap], to url: URL) throws {
        try StudyCSV.write(header: header, rows: gaps.map { g in
            [g.property, g.metric, g.layer, String(g.step), g.control, num(g.controlMean), g.strongest ? "1" : "0",
             num(g.gap.value), num(g.gap.low), num(g.gap.high), String(g.gap.n)]
        }, to: url)
    }

    public static func read(_ url: URL) throws -> [ControlGap] {
        try StudyCSV.read(url, header: header).map { line, f in
            guard let step = Int(f[3]), let n = Int(f[10]) else {
                throw StudyError.badInput("\(url.path) line \(line): step or n is not an integer")
            }
            func d(_ s: String) -> Double { Double(s) ?? .nan }
            return ControlGap(property: f[0], metric: f[1], layer: f[2], step: step, control: f[4],
                              controlMean: d(f[5]), strongest: f[6] == "1",
                              gap: MeanInterval(value: d(f[7]), low: d(f[8]), high: d(f[9]), n: n))
        }
    }
}

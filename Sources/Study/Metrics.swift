// Per-image metrics of a probe's prediction against its label, as the studies compute them at label resolution:
//   Dice      (2|P∩T| + 1e-8) / (|P| + |T| + 1e-8), P = argmax of the 2 logits (ties → background, as
//             torch.argmax picks the first), T = label > 0.5 (labels are 0/1)
//   Spearman  scipy.stats.spearmanr over all pixels: Pearson of average ranks (ties averaged); nil if undefined
//   Pearson   nil when either side is constant (scipy returns nan; such images are dropped)
//   RMSE      √mean (prediction − label)², on the label's (normalised) scale
import Foundation

public enum Metrics {
    /// Dice of logits [2, N] (background then foreground, planar) against a 0/1 label [N].
    public static func dice(logits: UnsafeBufferPointer<Float>, label: UnsafeBufferPointer<Float>) -> Double {
        let n = label.count
        var inter = 0, p = 0, t = 0
        for i in 0..<n {
            let pi = logits[n + i] > logits[i]
            let ti = label[i] > 0.5
            if pi { p += 1 }
            if ti { t += 1 }
            if pi && ti { inter += 1 }
        }
        return (2 * Double(inter) + 1e-8) / (Double(p) + Double(t) + 1e-8)
    }

    public static func dice(logits: [Float], label: [Float]) -> Double {
        logits.withUnsafeBufferPointer { l in label.withUnsafeBufferPointer { dice(logits: l, label: $0) } }
    }

    /// Pearson correlation, or nil when either side has zero variance (or n < 2).
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        let n = x.count
        guard n >= 2, y.count == n else { return nil }
        let mx = x.reduce(0, +) / Double(n), my = y.reduce(0, +) / Double(n)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<n {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return nil }
        return max(-1, min(1, sxy / (sxx * syy).squareRoot()))
    }

    public static func pearson(_ x: [Float], _ y: [Float]) -> Double? {
        pearson(x.map(Double.init), y.map(Double.init))
    }

    /// Spearman rank correlation with ties given their average rank (scipy.stats.rankdata "average").
    public static func spearman(_ x: [Float], _ y: [Float]) -> Double? {
        guard x.count == y.count, x.count >= 2 else { return nil }
        return pearson(averageRanks(x), averageRanks(y))
    }

    /// 1-based ranks, ties averaged.
    public static func averageRanks(_ v: [Float]) -> [Double] {
        let order = v.indices.sorted { v[$0] < v[$1] || (v[$0] == v[$1] && $0 < $1) }
        var ranks = [Double](repeating: 0, count: v.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
            let r = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = r }
            i = j + 1
        }
        return ranks
    }

    /// Root mean squared error.
    public static func rmse(_ prediction: [Float], _ label: [Float]) -> Double {
        guard !label.isEmpty else { return .nan }
        var s = 0.0
        for i in 0..<label.count { let d = Double(prediction[i]) - Double(label[i]); s += d * d }
        return (s / Double(label.count)).squareRoot()
    }
}

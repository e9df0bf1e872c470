// Bootstrap confidence intervals of a mean over images: `resamples` draws of n values with replacement
// (indices StudyRandom(seed).index(n), drawn resample by resample), the interval the 2.5th and 97.5th
// percentiles of the resampled means (numpy.percentile's default linear interpolation).

/// A mean with its bootstrap interval.
public struct MeanInterval: Codable, Equatable {
    public var value: Double
    public var low: Double
    public var high: Double
    public var n: Int
}

public enum Bootstrap {
    public static func meanInterval(_ values: [Double], resamples: Int = 1000, seed: UInt64 = 0,
                                    level: Double = 0.95) -> MeanInterval {
        let n = values.count
        guard n > 0 else { return MeanInterval(value: .nan, low: .nan, high: .nan, n: 0) }
        let mean = values.reduce(0, +) / Double(n)
        guard resamples > 0 else { return MeanInterval(value: mean, low: .nan, high: .nan, n: n) }
        var rng = StudyRandom(seed: seed)
        var means = [Double](repeating: 0, count: resamples)
        for b in 0..<resamples {
            var s = 0.0
            for _ in 0..<n { s += values[rng.index(n)] }
            means[b] = s / Double(n)
        }
        means.sort()
        let alpha = (1 - level) / 2
        return MeanInterval(value: mean, low: percentile(means, alpha * 100), high: percentile(means, (1 - alpha) * 100), n: n)
    }

    /// numpy.percentile(sorted, q) with method "linear".
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let pos = q / 100 * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        let f = pos - Double(lo)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * f
    }
}

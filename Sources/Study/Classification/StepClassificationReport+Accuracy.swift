// Top-1 accuracy per call with a 95% bootstrap interval over images (each image with a target scores 1 when its
// top-1 class at that call is the target, else 0): the index page's classification curve.
extension StepClassificationReport {
    public func top1Intervals(kind: String, resamples: Int = 1000, seed: UInt64 = 0) -> [MeanInterval] {
        let targeted = images.filter { $0.target != nil }.compactMap { $0.kinds[kind] }
        let calls = targeted.map(\.count).max() ?? 0
        return (0..<calls).map { c in
            let hits = targeted.compactMap { cs -> Double? in c < cs.count ? (cs[c].targetRank == 1 ? 1 : 0) : nil }
            return Bootstrap.meanInterval(hits, resamples: resamples, seed: seed &+ UInt64(c))
        }
    }
}

// StudyRandom: SplitMix64, the study's one seeded random source (splits, shuffled-label controls, bootstrap
// resamples). The same generator as the linear probe's, four lines in any language, so the fixtures' Python
// replays every draw exactly.

/// Steele, Lea & Flood's SplitMix64 generator.
public struct StudyRandom {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An index in 0..<n (next() % n; the modulo bias is negligible and keeps the replay trivial).
    public mutating func index(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A permutation of 0..<n by Fisher–Yates from the top: for i = n−1 … 1, swap i with next() % (i + 1).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        var i = n - 1
        while i > 0 {
            p.swapAt(i, index(i + 1))
            i -= 1
        }
        return p
    }
}

// SplitMix64 (Steele, Lea & Flood 2014): the one seeded random source of ldmprobe — scenes, data splits,
// shuffled-label controls, bootstrap resamples, probe initialisation and epoch order, random benchmark weights.
// Four lines in any language, so tools/ replays every draw exactly in Python; never the system RNG, so a seed
// gives the same result on every platform. A small target of its own so that plugins (which cannot link the
// host's modules) and the host share this one definition.

/// Steele, Lea & Flood's SplitMix64 generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An index in 0..<n: next() % n (the modulo bias is negligible and keeps the Python replay trivial).
    public mutating func index(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(next() % UInt64(n))
    }

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

    /// Uniform in [lo, hi) from the top 53 bits (platform independent, unlike Double.random(in:using:)).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        let u = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return lo + (hi - lo) * u
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }
}

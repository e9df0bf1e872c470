// World: the seeded random source for scenes — SplitMix64, so a seed gives the same scene on every platform.

/// A deterministic 64-bit generator (SplitMix64). Scenes depend only on the seed, never on the system RNG.
public struct SceneRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi) from the top 53 bits (platform independent, unlike Double.random(in:using:)).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        let u = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return lo + (hi - lo) * u
    }

    /// Uniform integer in 0..<n.
    public mutating func index(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(next() % UInt64(n))
    }

    /// The seed of scene `index` in a dataset made with `baseSeed`: positive and below 2^31, like the study's seeds.
    public static func sceneSeed(base: UInt64, index: Int) -> UInt64 {
        var r = SceneRandom(seed: base &* 0x2545_F491_4F6C_DD1D &+ UInt64(index))
        _ = r.next()
        return r.next() & 0x7FFF_FFFF
    }
}

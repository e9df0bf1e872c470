// World: the seeded random source for scenes — SplitMix64, so a seed gives the same scene on every platform.

@_exported import SeededRandom

/// Scenes depend only on the seed, never on the system RNG.
public typealias SceneRandom = SplitMix64

extension SplitMix64 {
    /// The seed of scene `index` in a dataset made with `baseSeed`: positive and below 2^31, like the study's seeds.
    public static func sceneSeed(base: UInt64, index: Int) -> UInt64 {
        var r = SplitMix64(seed: base &* 0x2545_F491_4F6C_DD1D &+ UInt64(index))
        _ = r.next()
        return r.next() & 0x7FFF_FFFF
    }
}

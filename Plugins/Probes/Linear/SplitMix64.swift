// SplitMix64: the probe's one random source (initial weights, epoch shuffles). Chosen because it is four lines in
// any language, so tools/make_study_fixtures.py replays the exact shuffle order in PyTorch.

/// Steele, Lea & Flood's SplitMix64 generator.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 random bits.
    mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A permutation of 0..<n by Fisher–Yates from the top: for i = n−1 … 1, swap i with next() % (i + 1).
    /// (The modulo bias is irrelevant here and keeps the Python replay trivial.)
    mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        var i = n - 1
        while i > 0 {
            let j = Int(next() % UInt64(i + 1))
            p.swapAt(i, j)
            i -= 1
        }
        return p
    }
}

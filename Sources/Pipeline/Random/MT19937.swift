// MT19937: the 32-bit Mersenne Twister exactly as ATen's at::mt19937 (ATen/core/MT19937RNGEngine.h) seeds and
// steps it, so a seed here yields torch's CPU stream word for word.

/// The Mersenne Twister MT19937 engine of torch's CPU generator.
public struct MT19937 {
    private static let n = 624
    private static let m = 397
    private var state = [UInt32](repeating: 0, count: 624)
    private var next = 0
    private var left = 1

    /// Seeds like `at::mt19937(seed)`: only the low 32 bits of the seed enter the state (torch.manual_seed(2**32 + k)
    /// draws what manual_seed(k) draws).
    public init(seed: UInt64) {
        state[0] = UInt32(truncatingIfNeeded: seed)
        for j in 1..<Self.n {
            let prev = state[j - 1]
            state[j] = 1_812_433_253 &* (prev ^ (prev >> 30)) &+ UInt32(j)
        }
        left = 1
        next = 0
    }

    /// The next tempered 32-bit word.
    public mutating func next32() -> UInt32 {
        left -= 1
        if left == 0 { twist() }
        var y = state[next]
        next += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        @inline(__always) func mix(_ u: UInt32, _ v: UInt32) -> UInt32 {
            let mixed = (u & 0x8000_0000) | (v & 0x7fff_ffff)
            return (mixed >> 1) ^ ((v & 1) != 0 ? 0x9908_b0df : 0)
        }
        let n = Self.n, m = Self.m
        left = n
        next = 0
        for j in 0..<(n - m) { state[j] = state[j + m] ^ mix(state[j], state[j + 1]) }
        for j in (n - m)..<(n - 1) { state[j] = state[j + m - n] ^ mix(state[j], state[j + 1]) }
        state[n - 1] = state[m - 1] ^ mix(state[n - 1], state[0])
    }
}

// Deterministic inputs for the model tests: uniform in [-1, 1) from a 64-bit LCG (no Foundation randomness).
import Tensor

enum TestValues {
    /// A tensor of `shape` with the LCG's values from `seed`.
    static func uniform(_ shape: [Int], seed: UInt64) -> Tensor {
        var s = seed
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(s >> 40) / Float(1 << 24) * 2 - 1
        })
    }
}

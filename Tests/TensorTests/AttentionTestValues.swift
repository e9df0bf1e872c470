// Deterministic test inputs the attention tests share.
import Tensor

/// Values in [−scale, scale) from a 64-bit LCG seeded with `seed`.
func attentionTestValues(_ shape: [Int], seed: UInt64, scale: Float) -> Tensor {
    var s = seed
    return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in
        s = s &* 6364136223846793005 &+ 1442695040888963407
        return (Float(s >> 40) / Float(1 << 24) * 2 - 1) * scale
    })
}

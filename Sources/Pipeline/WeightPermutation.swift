// WeightPermutation: the studies' control model — a UNet whose every weight tensor has its elements randomly
// permuted (same values, same shapes, structure destroyed). Each tensor is permuted by Fisher–Yates with a
// SplitMix64 stream seeded by (seed, FNV-1a of the tensor's name), so the result does not depend on load order.
//
//     let source = PermutedWeightSource(base: unetWeights, seed: 1)   // what `--permute-weights 1` wraps
import Foundation
import SeededRandom
import Tensor
import Weights

public enum WeightPermutation {
    /// `tensor` with its elements permuted by the stream for (seed, name).
    public static func permuted(_ tensor: Tensor, name: String, seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed ^ fnv1a(name))
        var data = tensor.data
        var i = data.count - 1
        while i > 0 {  // Fisher–Yates from the top, as SplitMix64.permutation, but in place
            data.swapAt(i, rng.index(i + 1))
            i -= 1
        }
        return Tensor(shape: tensor.shape, data: data)
    }

    /// Every tensor of `weights` permuted.
    public static func permuted(_ weights: [String: Tensor], seed: UInt64) -> [String: Tensor] {
        weights.reduce(into: [:]) { $0[$1.key] = permuted($1.value, name: $1.key, seed: seed) }
    }

    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}

/// A WeightSource whose tensors come back permuted (WeightPermutation); keys and shapes are unchanged, so any
/// model loader accepts it in place of the original.
public struct PermutedWeightSource: WeightSource {
    public let base: WeightSource
    public let seed: UInt64

    public init(base: WeightSource, seed: UInt64) {
        self.base = base
        self.seed = seed
    }

    public var keys: [String] { base.keys }
    public func shape(_ key: String) -> [Int]? { base.shape(key) }
    public func tensor(_ key: String) throws -> Tensor {
        WeightPermutation.permuted(try base.tensor(key), name: key, seed: seed)
    }
}

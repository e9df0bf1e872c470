// WeightSource: the one interface every weight reader offers (safetensors, .ckpt, diffusers folders, converted
// single-file checkpoints), so model code loads by diffusers/transformers state-dict name and never by format.
import Tensor

/// A read-only collection of named tensors. Keys are state-dict names (`down_blocks.0.resnets.0.conv1.weight`);
/// `tensor(_:)` always returns float32 whatever the stored dtype, and throws (never traps) on a missing key or
/// a corrupt entry (errors are `WeightSourceError`, in WeightSourceError.swift). Model loaders check `keys` against their expected list and `shape(_:)` before reading.
public protocol WeightSource {
    /// Every tensor name this source holds.
    var keys: [String] { get }
    /// The stored shape of `key`, or nil when the key is absent.
    func shape(_ key: String) -> [Int]?
    /// The tensor `key` converted to float32.
    func tensor(_ key: String) throws -> Tensor
    /// The tensor `key` as a Parameter kept in `residency` (WeightResidency.swift; the default reads `tensor`).
    func parameter(_ key: String, residency: WeightResidency) throws -> Parameter
}

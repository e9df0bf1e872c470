// WeightResidency: the precision a model keeps its large weights (conv and linear) in between calls. Half
// residency halves their RAM; each use widens them to float32 (exactly), so the arithmetic stays float32.
import Tensor

/// How conv and linear weights stay in memory (`--weights-in-memory`).
public enum WeightResidency: String, Sendable, CaseIterable {
    /// As stored: F16 tensors stay half (values identical to widening at load), all others float32.
    case auto
    /// Everything widened to float32 at load (twice the RAM of a fp16 file; no widening per call).
    case f32
    /// Everything half: float32 tensors are rounded to binary16 at load (ties to even) — a precision cost.
    case f16

    /// The parameter for `tensor` (float32 values) under this residency.
    public func parameter(_ tensor: Tensor) -> Parameter {
        self == .f16 ? .narrowing(tensor) : Parameter(tensor)
    }
}

extension WeightSource {
    /// Default for sources that hold no half tensors of their own: float32 values, narrowed under `.f16`.
    public func parameter(_ key: String, residency: WeightResidency) throws -> Parameter {
        residency.parameter(try tensor(key))
    }
}

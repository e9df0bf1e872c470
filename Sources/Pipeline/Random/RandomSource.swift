// RandomSource: where initial latents come from. The pipeline asks for noise by element count; TorchGenerator is
// the implementation that matches the reference (torch's CPU generator).

/// A source of float32 noise with torch's semantics for a fresh tensor of `count` elements.
public protocol RandomSource {
    /// Standard normal samples (`torch.randn`).
    mutating func randn(count: Int) -> [Float]
    /// Uniform samples in [0, 1) (`torch.rand`).
    mutating func rand(count: Int) -> [Float]
}

// diffusers Timesteps (sinusoidal projection) and TimestepEmbedding (linear_1 → SiLU → linear_2).
import Foundation
import Tensor

/// diffusers `get_timestep_embedding` as `Timesteps(num_channels, flip_sin_to_cos, downscale_freq_shift)` calls it:
/// freq_j = exp(−ln(10000) · j / (half − shift)) in float32, emb = [sin(t·freq), cos(t·freq)] (or [cos, sin] when
/// flipped). timesteps [B] → [B, channels].
public func timestepProjection(_ timesteps: [Float], channels: Int, flipSinToCos: Bool, freqShift: Int) -> Tensor {
    let half = channels / 2
    let logMax = Float(-log(10000.0))
    let freqs = (0..<half).map { j -> Float in expf(logMax * Float(j) / Float(half - freqShift)) }
    var out = Tensor(zeros: [timesteps.count, channels])
    for (b, t) in timesteps.enumerated() {
        for j in 0..<half {
            let arg = t * freqs[j]
            let (s, c) = (sinf(arg), cosf(arg))
            out.data[b * channels + j] = flipSinToCos ? c : s
            out.data[b * channels + half + j] = flipSinToCos ? s : c
        }
        // An odd channel count leaves the last column zero (diffusers pads it).
    }
    return out
}

/// diffusers TimestepEmbedding: `time_embedding.linear_1` [4C, C] → SiLU → `time_embedding.linear_2` [4C, 4C].
public struct TimestepEmbedding {
    public var linear1: Linear
    public var linear2: Linear

    public init(_ w: WeightLoader, _ path: String, in c: Int, out d: Int) throws {
        linear1 = try Linear(w, join(path, "linear_1"), in: c, out: d)
        linear2 = try Linear(w, join(path, "linear_2"), in: d, out: d)
    }

    /// [B, C] → [B, 4C]
    public func callAsFunction(_ x: Tensor) -> Tensor { linear2(linear1(x).silu()) }
}

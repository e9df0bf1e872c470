// diffusers FeedForward with activation_fn "geglu": net.0 = GEGLU(C → 2·4C projection), net.1 dropout, net.2 Linear.
import Tensor

/// GEGLU feed-forward: `ff.net.0.proj` [8C, C] → hidden · gelu(gate) → `ff.net.2` [C, 4C].
public struct FeedForward {
    public var proj: Linear
    public var out: Linear

    public init(_ w: WeightLoader, _ path: String, channels c: Int, mult: Int = 4) throws {
        proj = try Linear(w, join(path, "net.0.proj"), in: c, out: 2 * mult * c)
        out = try Linear(w, join(path, "net.2"), in: mult * c, out: c)
    }

    /// [B, T, C] → [B, T, C]
    func callAsFunction(_ x: Tensor) -> Tensor { out(proj(x).geglu()) }
}

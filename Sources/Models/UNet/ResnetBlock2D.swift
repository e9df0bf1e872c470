// diffusers ResnetBlock2D (resnet_time_scale_shift "default", output_scale_factor 1, no up/down in the block).
import Tensor

/// norm1 → SiLU → conv1 (+ time_emb_proj(SiLU(temb))) → norm2 → SiLU → conv2, plus the input (through a 1×1
/// conv_shortcut when channel counts differ). The VAE's blocks have no time embedding.
public struct ResnetBlock2D {
    public let path: String
    public var norm1: GroupNorm
    public var conv1: Conv2d
    public var timeEmbProj: Linear?
    public var norm2: GroupNorm
    public var conv2: Conv2d
    public var convShortcut: Conv2d?

    /// `tembChannels` nil: no time embedding (VAE).
    public init(_ w: WeightLoader, _ path: String, in i: Int, out o: Int, tembChannels: Int?, groups: Int,
                eps: Float) throws {
        self.path = path
        norm1 = try GroupNorm(w, join(path, "norm1"), groups: groups, channels: i, eps: eps)
        conv1 = try Conv2d(w, join(path, "conv1"), in: i, out: o, kernel: 3, padding: 1)
        timeEmbProj = try tembChannels.map { try Linear(w, join(path, "time_emb_proj"), in: $0, out: o) }
        norm2 = try GroupNorm(w, join(path, "norm2"), groups: groups, channels: o, eps: eps)
        conv2 = try Conv2d(w, join(path, "conv2"), in: o, out: o, kernel: 3, padding: 1)
        convShortcut = i != o ? try Conv2d(w, join(path, "conv_shortcut"), in: i, out: o, kernel: 1) : nil
    }

    /// x [B, I, H, W], siluTemb [B, T] (SiLU already applied: the same for every block) → [B, O, H, W]
    /// Takes `x` by value: with a 1×1 shortcut the shortcut is computed first and x normalised in place, so the up
    /// path's widest inputs ([2, 960, 64, 64], 31 MB) have no normalised copy beside them through conv1 (the peak of
    /// a half-weight call); conv1's output is normalised in place too. Same operations, same values.
    func callAsFunction(_ x: consuming Tensor, siluTemb: Tensor?, taps: TapPlan) -> Tensor {
        let residual: Tensor                                 // [B, O, H, W]
        let normed: Tensor                                   // [B, I, H, W]
        if let convShortcut {
            residual = convShortcut(x)
            normed = norm1.inPlace(consume x, silu: true)
        } else {
            residual = x                                     // shares x: normalise into a new buffer
            normed = norm1(x, silu: true)
            _ = consume x
        }
        // The time embedding's projection first: its scratch then comes while the heap is at its lowest here.
        let temb = timeEmbProj.flatMap { p in siluTemb.map { p($0) } }           // [B, O]
        var h = conv1(consume normed)                        // [B, O, H, W]; the input goes once convolved
        if let temb { h.addPerChannel(temb) }
        h = conv2(norm2.inPlace(consume h, silu: true))      // dropout: identity at inference
        h.add(residual)
        taps.visit(path, &h)
        return h
    }
}

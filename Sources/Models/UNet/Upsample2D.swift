// diffusers Upsample2D with use_conv: nearest ×2 (or to the skip connection's size) then a 3×3 conv.
import Tensor

public struct Upsample2D {
    public var conv: Conv2d

    public init(_ w: WeightLoader, _ path: String, channels c: Int) throws {
        conv = try Conv2d(w, join(path, "conv"), in: c, out: c, kernel: 3, padding: 1)
    }

    /// [B, C, H, W] → [B, C, size ?? (2H, 2W)]
    /// Takes `x` by value: it is let go once upsampled, before the conv's output and scratch exist.
    /// `reserve`: floats the upsampled temporary's buffer reserves, so that, freed after the conv, it leaves a hole
    /// the next up block's concatenation (this output and a skip) fits into instead of new pages (+24 MB of peak
    /// RSS at latent 64 otherwise: malloc had no free piece that large).
    public func callAsFunction(_ x: consuming Tensor, size: (Int, Int)? = nil, reserve: Int = 0) -> Tensor {
        let (h, w) = size ?? (x.shape[2] * 2, x.shape[3] * 2)
        let up = x.upsampleNearest(height: h, width: w, capacity: reserve)     // [B, C, h, w]
        _ = consume x
        return conv(up)
    }
}

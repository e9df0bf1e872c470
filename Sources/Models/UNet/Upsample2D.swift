// diffusers Upsample2D with use_conv: nearest ×2 (or to the skip connection's size) then a 3×3 conv.
import Tensor

public struct Upsample2D {
    public var conv: Conv2d

    public init(_ w: WeightLoader, _ path: String, channels c: Int) throws {
        conv = try Conv2d(w, join(path, "conv"), in: c, out: c, kernel: 3, padding: 1)
    }

    /// [B, C, H, W] → [B, C, size ?? (2H, 2W)]
    /// The ×2 case never materialises the upsampled map: the conv's Winograd input transform reads it from x
    /// (`Conv2d.upsampled`; 21 MB at latent 64 before up_blocks.3, 268 MB in the VAE decoder's last upsampler), and
    /// writes the whole batch straight into the result. `reserve`: floats the result's buffer has room for, so
    /// that the next up block's concatenation of it with a skip grows it in place (`Tensor.concatChannels(_:_:)`)
    /// instead of allocating [B, O + S, h, w] beside both parts. Another `size` (diffusers' `output_size`, latents
    /// not a multiple of 8) upsamples first. Takes `x` by value: it is let go as soon as it is read.
    public func callAsFunction(_ x: consuming Tensor, size: (Int, Int)? = nil, reserve: Int = 0) -> Tensor {
        let (h, w) = size ?? (x.shape[2] * 2, x.shape[3] * 2)
        guard h == 2 * x.shape[2], w == 2 * x.shape[3] else {
            let up = x.upsampleNearest(height: h, width: w)                        // [B, C, h, w]
            _ = consume x
            return conv(up)
        }
        return conv.upsampled(x, capacity: reserve)                                // [B, O, 2H, 2W]
    }
}

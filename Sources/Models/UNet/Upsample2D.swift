// diffusers Upsample2D with use_conv: nearest ×2 (or to the skip connection's size) then a 3×3 conv.
import Tensor

public struct Upsample2D {
    public var conv: Conv2d

    public init(_ w: WeightLoader, _ path: String, channels c: Int) throws {
        conv = try Conv2d(w, join(path, "conv"), in: c, out: c, kernel: 3, padding: 1)
    }

    /// Upsampled maps of at least this many floats (16 MB: [2, 640, 64, 64] before up_blocks.3 at latent 64) are
    /// upsampled and convolved one sample at a time (tests lower it).
    public var perSampleFloats = 4 << 20

    /// [B, C, H, W] → [B, C, size ?? (2H, 2W)]
    /// Takes `x` by value: it is let go once upsampled, before the conv's output and scratch exist. A large map goes
    /// sample by sample: one sample's upsampled input and conv output (10.5 MB each at latent 64) instead of the
    /// batch's (21 MB each), and the result's second half is not written (not resident) until the last conv ends.
    /// `reserve`: floats the result's buffer has room for (large maps only), so that the next up block's
    /// concatenation of it with a skip grows it in place (`Tensor.concatChannels(_:_:)`) instead of allocating
    /// the whole [B, O + S, h, w] beside both parts.
    public func callAsFunction(_ x: consuming Tensor, size: (Int, Int)? = nil, reserve: Int = 0) -> Tensor {
        let (h, w) = size ?? (x.shape[2] * 2, x.shape[3] * 2)
        let (b, c) = (x.shape[0], x.shape[1])
        guard b > 1, b * c * h * w >= perSampleFloats else {
            let up = x.upsampleNearest(height: h, width: w)                        // [B, C, h, w]
            _ = consume x
            return conv(up)
        }
        var samples = (0..<b).map { x.sample($0) }                                 // b × [1, C, H, W]
        _ = consume x
        var out: Tensor?                                                           // [B, O, h, w]
        for s in 0..<b {
            let up = samples[s].upsampleNearest(height: h, width: w)               // [1, C, h, w]
            samples[s] = Tensor(zeros: [0])                                        // let the sample go
            let y = conv(up)                                                       // [1, O, h, w]
            if out == nil { out = Tensor(uninitialized: [b] + y.shape.dropFirst(), capacity: reserve) }
            out!.setSample(s, y)
        }
        return out!
    }
}

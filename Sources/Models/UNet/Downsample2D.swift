// diffusers Downsample2D with use_conv: a stride-2 3×3 conv (`downsamplers.0.conv`).
import Tensor

/// Halves H and W. UNet: padding 1. VAE encoder: padding 0 after an asymmetric zero pad (right 1, bottom 1).
public struct Downsample2D {
    public var conv: Conv2d

    public init(_ w: WeightLoader, _ path: String, channels c: Int, padding: Int) throws {
        conv = try Conv2d(w, join(path, "conv"), in: c, out: c, kernel: 3, stride: 2, padding: padding)
        if padding == 0 { conv.padding = Padding2D(top: 0, bottom: 1, left: 0, right: 1) }
    }

    /// [B, C, H, W] → [B, C, H/2, W/2]
    public func callAsFunction(_ x: Tensor) -> Tensor { conv(x) }
}

// ClassifierSupport — VGG feature maps for a perceptual distance (issue #17, early exit): the ReLU outputs that
// feed each max pool (for VGG-16 LPIPS's taps relu1_2, relu2_2, relu3_3, relu4_3, relu5_3), computed at the
// image's own size (no resize or crop) from torchvision's ImageNet normalisation.
import Tensor

extension VGGNetwork {
    /// U8 RGB [height, width, 3] → [1, 3, H, W], (x/255 − mean)/std with ImageNet's mean and std.
    public static func normalizedInput(_ rgb: [UInt8], height: Int, width: Int) -> Tensor {
        let n = height * width
        var t = Tensor(zeros: [1, 3, height, width])
        for c in 0..<3 {
            let m = ImagePreprocessing.imagenetMean[c], s = ImagePreprocessing.imagenetStd[c]
            for i in 0..<n { t.data[c * n + i] = (Float(rgb[i * 3 + c]) / 255 - m) / s }
        }
        return t
    }

    /// The activations entering each max pool: x [B, 3, H, W] → per pool [B, C_l, H/2^l, W/2^l] (l = 0, 1, …).
    /// H and W must be multiples of 2^pools (32 for VGG-16), so that every pool has at least 2×2 to reduce.
    public func poolInputs(_ x: Tensor) -> [Tensor] {
        var taps: [Tensor] = []
        _ = features(x) { taps.append($0) }
        return taps
    }
}

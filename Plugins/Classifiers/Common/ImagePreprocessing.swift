// ClassifierSupport — the two ways an RGB image becomes a VGG input [1, 3, 224, 224].
//
// torchvision: what VGG16_Weights.IMAGENET1K_V1.transforms() does to a uint8 [3, H, W] tensor: resize the
//   shorter side to 256 (longer side int(256·long/short)), bilinear with antialias=True (torch's separable
//   triangle filter over the whole footprint when shrinking, in float32; width pass, then height pass), round
//   half-to-even back to uint8; centre crop 224 (offsets with Python's round); /255; (x − mean)/std with
//   ImageNet's mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225). torch sums the filter taps with
//   vectorised FMA, so a rare resized value that sits at .5 can round the other way here (±1 level).
// caffe: Keras' VGG16 path (load_img(target_size=(224, 224)) then preprocess_input, mode "caffe"): PIL resize to
//   224×224 NEAREST (source index ⌊a/2 + k·a⌋ with a = in/out accumulated as PIL does), RGB → BGR, subtract
//   103.939/116.779/123.68; no scaling. (The studies' follow-up used this with Keras' ImageNet weights.)
import Foundation
import Tensor

public enum ImagePreprocessing: String, CaseIterable {
    case torchvision
    case caffe

    public static let side = 224
    static let resizeShort = 256
    static let imagenetMean: [Float] = [0.485, 0.456, 0.406]
    static let imagenetStd: [Float] = [0.229, 0.224, 0.225]
    static let caffeMeanBGR: [Float] = [103.939, 116.779, 123.68]

    /// The resized and cropped pixels, U8 [224, 224, 3] RGB, of `image` U8 [height, width, 3] RGB.
    public func crop(_ image: UnsafeBufferPointer<UInt8>, height: Int, width: Int) -> [UInt8] {
        precondition(image.count == height * width * 3 && height > 0 && width > 0)
        switch self {
        case .torchvision:
            let (rh, rw) = Self.resizedSize(height: height, width: width)
            let resized = Self.resizeAntialiased(image, height: height, width: width, outHeight: rh, outWidth: rw)
            // Python: int(round((h - 224) / 2.0)), round half to even.
            let top = Int((Double(rh - Self.side) / 2.0).rounded(.toNearestOrEven))
            let left = Int((Double(rw - Self.side) / 2.0).rounded(.toNearestOrEven))
            var out = [UInt8](repeating: 0, count: Self.side * Self.side * 3)
            for y in 0..<Self.side {
                let src = ((top + y) * rw + left) * 3
                for k in 0..<(Self.side * 3) { out[y * Self.side * 3 + k] = resized[src + k] }
            }
            return out
        case .caffe:
            let rows = Self.pilNearestTable(inSize: height, outSize: Self.side)
            let cols = Self.pilNearestTable(inSize: width, outSize: Self.side)
            var out = [UInt8](repeating: 0, count: Self.side * Self.side * 3)
            for (y, sy) in rows.enumerated() {
                for (x, sx) in cols.enumerated() {
                    for c in 0..<3 { out[(y * Self.side + x) * 3 + c] = image[(sy * width + sx) * 3 + c] }
                }
            }
            return out
        }
    }

    /// The network input [1, 3, 224, 224] from a crop U8 [224, 224, 3] RGB.
    public func normalize(crop: [UInt8]) -> Tensor {
        let n = Self.side * Self.side
        precondition(crop.count == n * 3)
        var t = Tensor(zeros: [1, 3, Self.side, Self.side])
        switch self {
        case .torchvision:
            for c in 0..<3 {
                let m = Self.imagenetMean[c], s = Self.imagenetStd[c]
                for i in 0..<n { t.data[c * n + i] = (Float(crop[i * 3 + c]) / 255 - m) / s }
            }
        case .caffe:
            for c in 0..<3 {   // output channel c is BGR: B = RGB[2], G = RGB[1], R = RGB[0]
                let m = Self.caffeMeanBGR[c]
                for i in 0..<n { t.data[c * n + i] = Float(crop[i * 3 + (2 - c)]) - m }
            }
        }
        return t
    }

    /// crop then normalize.
    public func input(_ image: UnsafeBufferPointer<UInt8>, height: Int, width: Int) -> Tensor {
        normalize(crop: crop(image, height: height, width: width))
    }

    /// torchvision's Resize(256) size: the shorter side to 256, the longer int(256·long/short).
    static func resizedSize(height: Int, width: Int) -> (Int, Int) {
        if height <= width {
            return (resizeShort, Int(Double(resizeShort * width) / Double(height)))
        }
        return (Int(Double(resizeShort * height) / Double(width)), resizeShort)
    }

    /// torch's antialiased bilinear taps for one axis (UpSampleKernel.cpp, float input): per output index the
    /// first source index and the normalised weights.
    static func antialiasTaps(inSize: Int, outSize: Int) -> [(start: Int, weights: [Float])] {
        let scale = Float(inSize) / Float(outSize)
        let support: Float = scale >= 1 ? scale : 1
        let invscale: Float = scale >= 1 ? 1 / scale : 1
        var taps: [(Int, [Float])] = []
        taps.reserveCapacity(outSize)
        for i in 0..<outSize {
            let center = Float(Double(scale) * (Double(i) + 0.5))
            let lo = max(Int(Double(center) - Double(support) + 0.5), 0)
            let hi = min(Int(Double(center) + Double(support) + 0.5), inSize)
            var ws: [Float] = []
            var total: Float = 0
            for j in 0..<max(0, hi - lo) {
                let d = Float(j + lo) - center                       // int − float: float32 in C++
                let x = abs(Float((Double(d) + 0.5) * Double(invscale)))
                let w: Float = x < 1 ? Float(1.0 - Double(x)) : 0
                ws.append(w)
                total += w
            }
            if total != 0 { ws = ws.map { $0 / total } }
            taps.append((lo, ws))
        }
        return taps
    }

    /// Antialiased bilinear resize of U8 [h, w, 3] to U8 [oh, ow, 3]: width pass, height pass, in float32.
    static func resizeAntialiased(_ image: UnsafeBufferPointer<UInt8>, height h: Int, width w: Int,
                                  outHeight oh: Int, outWidth ow: Int) -> [UInt8] {
        var plane = image.map { Float($0) }                 // [h, w, 3]
        var cw = w
        if ow != w {
            let taps = antialiasTaps(inSize: w, outSize: ow)
            var tmp = [Float](repeating: 0, count: h * ow * 3)
            plane.withUnsafeBufferPointer { src in
                tmp.withUnsafeMutableBufferPointer { dst in
                    parallelFor(h, minPerThread: 16) { y in
                        for (x, tap) in taps.enumerated() {
                            for c in 0..<3 {
                                var acc = src[(y * w + tap.start) * 3 + c] * tap.weights[0]
                                for j in 1..<tap.weights.count {
                                    acc += src[(y * w + tap.start + j) * 3 + c] * tap.weights[j]
                                }
                                dst[(y * ow + x) * 3 + c] = acc
                            }
                        }
                    }
                }
            }
            plane = tmp
            cw = ow
        }
        if oh != h {
            let taps = antialiasTaps(inSize: h, outSize: oh)
            var tmp = [Float](repeating: 0, count: oh * cw * 3)
            let rowLen = cw * 3
            plane.withUnsafeBufferPointer { src in
                tmp.withUnsafeMutableBufferPointer { dst in
                    parallelFor(oh, minPerThread: 16) { y in
                        let tap = taps[y]
                        for k in 0..<rowLen {
                            var acc = src[tap.start * rowLen + k] * tap.weights[0]
                            for j in 1..<tap.weights.count { acc += src[(tap.start + j) * rowLen + k] * tap.weights[j] }
                            dst[y * rowLen + k] = acc
                        }
                    }
                }
            }
            plane = tmp
        }
        // torch.round (half to even), then uint8; bilinear taps are non-negative so values stay in [0, 255].
        return plane.map { UInt8(max(0, min(255, $0.rounded(.toNearestOrEven)))) }
    }

    /// PIL's NEAREST source indices (ImagingScaleAffine): x = a/2, then x += a per output, index ⌊x⌋.
    static func pilNearestTable(inSize: Int, outSize: Int) -> [Int] {
        let a = Double(inSize) / Double(outSize)
        var x = a * 0.5
        var out: [Int] = []
        out.reserveCapacity(outSize)
        for _ in 0..<outSize {
            out.append(min(Int(x), inSize - 1))
            x += a
        }
        return out
    }
}

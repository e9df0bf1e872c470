// World: image ↔ tensor conversions shared by the demo nets' plugins (and their tests).
import Tensor

/// Conversions between U8 [H, W, 3] images, the nets' [1, 3, S, S] inputs and label maps.
public enum DemoImage {
    /// U8 [H, W, 3] RGB → [1, 3, size, size] in [-1, 1] (x/127.5 − 1), resized with torch's legacy nearest
    /// (source index floor(dst · in/out)), as tools/demo evaluates images of other sizes.
    public static func input(_ rgb: UnsafeBufferPointer<UInt8>, height h: Int, width w: Int, size: Int) -> Tensor {
        var t = Tensor(zeros: [1, 3, size, size])
        let ys = (0..<size).map { min(h - 1, Int((Float($0) * Float(h) / Float(size)).rounded(.down))) }
        let xs = (0..<size).map { min(w - 1, Int((Float($0) * Float(w) / Float(size)).rounded(.down))) }
        t.data.withUnsafeMutableBufferPointer { o in
            for y in 0..<size {
                for x in 0..<size {
                    let s = (ys[y] * w + xs[x]) * 3
                    for c in 0..<3 { o[(c * size + y) * size + x] = Float(rgb[s + c]) / 127.5 - 1 }
                }
            }
        }
        return t
    }

    /// Bilinear resize of one map [h, w] → [oh, ow] (torch F.interpolate, align_corners=False).
    public static func resizeBilinear(_ v: [Float], height h: Int, width w: Int, to oh: Int, _ ow: Int) -> [Float] {
        if h == oh && w == ow { return v }
        var out = [Float](repeating: 0, count: oh * ow)
        func src(_ d: Int, _ n: Int, _ on: Int) -> (Int, Int, Float) {
            let s = max(0, (Float(d) + 0.5) * Float(n) / Float(on) - 0.5)
            let i0 = min(Int(s), n - 1)
            let i1 = min(i0 + 1, n - 1)
            return (i0, i1, s - Float(i0))
        }
        for y in 0..<oh {
            let (y0, y1, fy) = src(y, h, oh)
            for x in 0..<ow {
                let (x0, x1, fx) = src(x, w, ow)
                let top = v[y0 * w + x0] * (1 - fx) + v[y0 * w + x1] * fx
                let bottom = v[y1 * w + x0] * (1 - fx) + v[y1 * w + x1] * fx
                out[y * ow + x] = top * (1 - fy) + bottom * fy
            }
        }
        return out
    }
}

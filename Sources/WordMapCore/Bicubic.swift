// Bicubic resizing as torch.nn.functional.interpolate(mode="bicubic", align_corners=False) computes it, which is
// what DAAM uses for every upsampling: source coordinate (dst + 0.5)·in/out − 0.5 (not clamped at 0 for cubic),
// Keys' cubic convolution with A = −0.75, neighbours outside the map clamped to the border.

public enum Bicubic {
    /// Keys' kernel weights for the 4 taps at offsets −1, 0, 1, 2 from floor(source), at fraction t.
    static func weights(_ t: Float) -> (Float, Float, Float, Float) {
        let a: Float = -0.75
        func near(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }            // |x| ≤ 1
        func far(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }        // 1 < |x| < 2
        return (far(t + 1), near(t), near(1 - t), far(2 - t))
    }

    /// Per output index: the 4 clamped source indices and their weights along one axis of `n` → `m`.
    static func taps(from n: Int, to m: Int) -> [(i: (Int, Int, Int, Int), w: (Float, Float, Float, Float))] {
        let scale = Float(n) / Float(m)
        return (0..<m).map { o in
            let src = (Float(o) + 0.5) * scale - 0.5
            let f = src.rounded(.down)
            let i0 = Int(f)
            func c(_ i: Int) -> Int { min(max(i, 0), n - 1) }
            return ((c(i0 - 1), c(i0), c(i0 + 1), c(i0 + 2)), weights(src - f))
        }
    }

    /// Resizes maps [count, h, w] (planar) to [count, oh, ow]; separable: rows first, then columns.
    public static func resize(_ x: [Float], count: Int, height h: Int, width w: Int,
                              toHeight oh: Int, toWidth ow: Int) -> [Float] {
        if h == oh && w == ow { return x }
        let tx = taps(from: w, to: ow), ty = taps(from: h, to: oh)
        var tmp = [Float](repeating: 0, count: count * h * ow)      // [count, h, ow]
        var out = [Float](repeating: 0, count: count * oh * ow)     // [count, oh, ow]
        for c in 0..<count {
            for y in 0..<h {
                let row = c * h * w + y * w, dst = c * h * ow + y * ow
                for (o, t) in tx.enumerated() {
                    tmp[dst + o] = t.w.0 * x[row + t.i.0] + t.w.1 * x[row + t.i.1] + t.w.2 * x[row + t.i.2]
                        + t.w.3 * x[row + t.i.3]
                }
            }
            let base = c * h * ow
            for (o, t) in ty.enumerated() {
                let dst = c * oh * ow + o * ow
                let r0 = base + t.i.0 * ow, r1 = base + t.i.1 * ow, r2 = base + t.i.2 * ow, r3 = base + t.i.3 * ow
                for j in 0..<ow {
                    out[dst + j] = t.w.0 * tmp[r0 + j] + t.w.1 * tmp[r1 + j] + t.w.2 * tmp[r2 + j] + t.w.3 * tmp[r3 + j]
                }
            }
        }
        return out
    }
}

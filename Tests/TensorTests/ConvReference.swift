// The conv tests' shared pieces: deterministic values in [−1, 1) and torch.nn.functional.conv2d by definition.
import Tensor

enum ConvReference {
    /// A tensor of `shape` filled from an LCG seeded with `seed` (values in [−1, 1)).
    static func values(_ shape: [Int], seed: UInt64) -> Tensor {
        var s = seed
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(s >> 40) / Float(1 << 24) * 2 - 1
        })
    }

    /// torch.nn.functional.conv2d summed in Double: x [B, I, H, W], w [O, I, kh, kw], bias [O] → [B, O, OH, OW].
    static func direct(_ x: Tensor, _ wt: Tensor, _ bias: Tensor?, stride: Int, pad: Padding2D) -> Tensor {
        let (b, ci, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (co, kh, kw) = (wt.shape[0], wt.shape[2], wt.shape[3])
        let oh = (h + pad.top + pad.bottom - kh) / stride + 1, ow = (w + pad.left + pad.right - kw) / stride + 1
        var out = Tensor(zeros: [b, co, oh, ow])
        for s in 0..<b { for o in 0..<co { for oy in 0..<oh { for ox in 0..<ow {
            var acc = Double(bias?.data[o] ?? 0)
            for i in 0..<ci { for ki in 0..<kh { for kj in 0..<kw {
                let iy = oy * stride - pad.top + ki, ix = ox * stride - pad.left + kj
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                acc += Double(x.data[((s * ci + i) * h + iy) * w + ix]) * Double(wt.data[((o * ci + i) * kh + ki) * kw + kj])
            }}}
            out.data[((s * co + o) * oh + oy) * ow + ox] = Float(acc)
        }}}}
        return out
    }
}

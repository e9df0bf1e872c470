// conv2d's tiled path (tiles of output rows, one core each; used for maps of ≥ 32×32 outputs) against a direct
// convolution summed in Double, on shapes whose last tile is ragged, with stride 2 and the VAE's asymmetric padding.
import XCTest
import Tensor

final class TiledConvTests: XCTestCase {
    private func values(_ shape: [Int], seed: UInt64) -> Tensor {
        var s = seed
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(s >> 40) / Float(1 << 24) * 2 - 1
        })
    }

    /// torch.nn.functional.conv2d by definition: x [B, I, H, W], w [O, I, kh, kw] → [B, O, OH, OW].
    private func direct(_ x: Tensor, _ wt: Tensor, _ bias: Tensor, stride: Int, pad: Padding2D) -> Tensor {
        let (b, ci, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (co, kh, kw) = (wt.shape[0], wt.shape[2], wt.shape[3])
        let oh = (h + pad.top + pad.bottom - kh) / stride + 1, ow = (w + pad.left + pad.right - kw) / stride + 1
        var out = Tensor(zeros: [b, co, oh, ow])
        for s in 0..<b { for o in 0..<co { for oy in 0..<oh { for ox in 0..<ow {
            var acc = Double(bias.data[o])
            for i in 0..<ci { for ki in 0..<kh { for kj in 0..<kw {
                let iy = oy * stride - pad.top + ki, ix = ox * stride - pad.left + kj
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                acc += Double(x.data[((s * ci + i) * h + iy) * w + ix]) * Double(wt.data[((o * ci + i) * kh + ki) * kw + kj])
            }}}
            out.data[((s * co + o) * oh + oy) * ow + ox] = Float(acc)
        }}}}
        return out
    }

    private func check(_ name: String, b: Int, ci: Int, co: Int, h: Int, w: Int, k: Int, stride: Int,
                       pad: Padding2D, tileRows: Int?, file: StaticString = #filePath, line: UInt = #line) {
        let x = values([b, ci, h, w], seed: 1), wt = values([co, ci, k, k], seed: 2), bias = values([co], seed: 3)
        let ref = direct(x, wt, bias, stride: stride, pad: pad)
        let got = x.conv2d(weight: wt, bias: bias, stride: stride, padding: pad, tileRows: tileRows)
        XCTAssertEqual(got.shape, ref.shape, file: file, line: line)
        let d = got.maxAbsDiff(ref)
        print("\(name) \(x.shape) → \(ref.shape), tileRows \(tileRows.map(String.init) ?? "auto"): maxdiff \(d) "
              + "(scale \(ref.maxAbs))")
        XCTAssertLessThanOrEqual(d, 1e-5 * max(1, ref.maxAbs), name, file: file, line: line)
    }

    func testTiledMatchesDirect() {
        // 19 output rows in tiles of 4: four full tiles and one of 3.
        check("conv3x3 ragged tiles", b: 2, ci: 5, co: 6, h: 19, w: 13, k: 3, stride: 1, pad: Padding2D(1), tileRows: 4)
        check("conv3x3 stride 2", b: 1, ci: 3, co: 4, h: 21, w: 17, k: 3, stride: 2, pad: Padding2D(1), tileRows: 3)
        check("vae downsample pad", b: 2, ci: 4, co: 3, h: 16, w: 18, k: 3, stride: 2,
              pad: Padding2D(top: 0, bottom: 1, left: 0, right: 1), tileRows: 2)
        check("conv3x3 no padding", b: 1, ci: 2, co: 3, h: 12, w: 12, k: 3, stride: 1, pad: Padding2D(0), tileRows: 5)
        // ≥ 32×32 outputs take the tiled path by themselves.
        check("conv3x3 auto-tiled", b: 2, ci: 3, co: 4, h: 33, w: 34, k: 3, stride: 1, pad: Padding2D(1), tileRows: nil)
    }
}

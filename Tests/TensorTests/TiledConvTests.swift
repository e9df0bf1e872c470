// conv2d's tiled path (tiles of output rows, one core each; used for maps of ≥ 32×32 outputs) against a direct
// convolution summed in Double, on shapes whose last tile is ragged, with stride 2 and the VAE's asymmetric padding.
import XCTest
import Tensor

final class TiledConvTests: XCTestCase {
    private func check(_ name: String, b: Int, ci: Int, co: Int, h: Int, w: Int, k: Int, stride: Int,
                       pad: Padding2D, tileRows: Int?, file: StaticString = #filePath, line: UInt = #line) {
        let x = ConvReference.values([b, ci, h, w], seed: 1), wt = ConvReference.values([co, ci, k, k], seed: 2)
        let bias = ConvReference.values([co], seed: 3)
        let ref = ConvReference.direct(x, wt, bias, stride: stride, pad: pad)
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

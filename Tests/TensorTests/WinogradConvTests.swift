// conv2d's Winograd F(2×2, 3×3) path and half-precision weights against a direct convolution summed in Double:
// odd sizes (ragged 2×2 tiles, AVX groups of 8 tiles and scalar ends), padding 0/1/asymmetric, batch 1 and 2,
// chunks that end inside a tile row or sample, and half weights on both the Winograd and the im2col paths.
import XCTest
import Tensor

final class WinogradConvTests: XCTestCase {
    /// Runs conv2d with `algorithm` (float32 or half weights) and checks it against `direct` within 1e-5 × scale
    /// (README's conv tolerance is 3.8e-6 at unit scale; Winograd's extra adds stay below 1e-6 here).
    private func check(_ name: String, b: Int, ci: Int, co: Int, h: Int, w: Int, k: Int = 3, stride: Int = 1,
                       pad: Padding2D = Padding2D(1), bias: Bool = true, half: Bool = false,
                       algorithm: Conv2DAlgorithm, file: StaticString = #filePath, line: UInt = #line) {
        let x = ConvReference.values([b, ci, h, w], seed: 11)
        var wt = ConvReference.values([co, ci, k, k], seed: 12)
        let bs = bias ? ConvReference.values([co], seed: 13) : nil
        let halves = wt.data.map { Float16($0) }
        if half { wt.data = halves.map { Float($0) } }       // the reference sees the weights the kernel sees
        let ref = ConvReference.direct(x, wt, bs, stride: stride, pad: pad)
        let got: Tensor
        if half {
            got = halves.withUnsafeBytes {
                x.conv2d(weight: $0.baseAddress!, weightIsHalf: true, weightShape: wt.shape, bias: bs, stride: stride,
                         padding: pad, algorithm: algorithm)
            }
        } else {
            got = x.conv2d(weight: wt, bias: bs, stride: stride, padding: pad, algorithm: algorithm)
        }
        XCTAssertEqual(got.shape, ref.shape, name, file: file, line: line)
        let d = got.maxAbsDiff(ref)
        print("\(name) \(x.shape) ⊛ \(wt.shape)\(half ? " half" : "") → \(ref.shape) [\(algorithm)]: maxdiff \(d) "
              + "(scale \(ref.maxAbs))")
        XCTAssertLessThanOrEqual(d, 1e-5 * max(1, ref.maxAbs), name, file: file, line: line)
    }

    func testWinogradMatchesDirect() {
        // 37 wide: 19 tiles per row, two AVX groups of 8 with scalar borders and a ragged last column.
        check("odd map", b: 2, ci: 9, co: 10, h: 21, w: 37, algorithm: .winograd)
        check("even map batch 1", b: 1, ci: 16, co: 8, h: 32, w: 40, algorithm: .winograd)
        check("no padding", b: 2, ci: 5, co: 7, h: 20, w: 35, pad: Padding2D(0), algorithm: .winograd)
        check("asymmetric padding", b: 1, ci: 6, co: 5, h: 19, w: 34,
              pad: Padding2D(top: 0, bottom: 1, left: 2, right: 0), algorithm: .winograd)
        check("no bias", b: 2, ci: 4, co: 3, h: 9, w: 18, bias: false, algorithm: .winograd)
        check("tiny map", b: 2, ci: 3, co: 4, h: 3, w: 2, algorithm: .winograd)
        // 19 × 11 tiles per sample in chunks of 23 (ends inside rows and across samples), 3 output channels a block.
        check("chunked", b: 2, ci: 7, co: 8, h: 22, w: 37, algorithm: .winogradBlocked(tiles: 23, outChannels: 3))
        // Shapes the others reject fall back to im2col.
        check("stride 2 falls back", b: 1, ci: 4, co: 5, h: 17, w: 19, stride: 2, algorithm: .winograd)
    }

    /// conv2d(upsampled: true) reads the nearest ×2 upsampling in the input transform and skips the products
    /// that are zeros there: exactly the values of upsampling first, on every path (Winograd: AVX groups and scalar
    /// ends, ragged chunks, padding variants, half weights; im2col upsamples first).
    func testUpsampledInputEqualsUpsampleFirst() {
        func check(_ name: String, b: Int, ci: Int, co: Int, h: Int, w: Int, pad: Padding2D = Padding2D(1),
                   half: Bool = false, algorithm: Conv2DAlgorithm, line: UInt = #line) {
            let x = ConvReference.values([b, ci, h, w], seed: 21)                 // [B, I, H, W]
            let wt = ConvReference.values([co, ci, 3, 3], seed: 22)                // [O, I, 3, 3]
            let bs = ConvReference.values([co], seed: 23)                          // [O]
            let big = x.upsampleNearest(scale: 2)                                  // [B, I, 2H, 2W]
            let (want, got): (Tensor, Tensor)
            if half {
                let halves = wt.data.map { Float16($0) }
                (want, got) = halves.withUnsafeBytes { hp in
                    let p = Parameter(half: HalfBuffer(copying: hp.baseAddress!, count: halves.count), shape: wt.shape)
                    return (big.conv2d(weight: p, bias: bs, stride: 1, padding: pad, algorithm: algorithm),
                            x.conv2d(weight: p, bias: bs, stride: 1, padding: pad, algorithm: algorithm,
                                     upsampled: true, capacity: 3 * big.count))
                }
            } else {
                want = big.conv2d(weight: wt, bias: bs, stride: 1, padding: pad, algorithm: algorithm)
                got = x.conv2d(weight: wt, bias: bs, stride: 1, padding: pad, algorithm: algorithm, upsampled: true)
            }
            let d = got.maxAbsDiff(want)
            print("upsampled input \(name) \(x.shape) → \(want.shape) [\(algorithm)]: maxdiff \(d) (scale \(want.maxAbs))")
            XCTAssertEqual(got.shape, want.shape, name, line: line)
            XCTAssertEqual(d, 0, name, line: line)
            XCTAssertGreaterThan(want.maxAbs, 0.1, name, line: line)
        }
        // 2 × 19 wide: 19 tiles per row (two AVX groups of 8 and a ragged end), odd stored sizes.
        check("odd stored map", b: 2, ci: 9, co: 10, h: 7, w: 19, algorithm: .winograd)
        check("batch 1, no padding", b: 1, ci: 5, co: 7, h: 10, w: 17, pad: Padding2D(0), algorithm: .winograd)
        check("asymmetric padding", b: 1, ci: 6, co: 5, h: 9, w: 17,
              pad: Padding2D(top: 0, bottom: 1, left: 2, right: 0), algorithm: .winograd)
        // Odd top padding only: 4 of the 16 products are zeros (pad 1 all round: 7; the cases above and below).
        check("one odd pad", b: 2, ci: 5, co: 6, h: 8, w: 13, pad: Padding2D(top: 1, bottom: 0, left: 2, right: 1),
              algorithm: .winograd)
        check("chunked", b: 2, ci: 7, co: 8, h: 11, w: 18, algorithm: .winogradBlocked(tiles: 23, outChannels: 3))
        check("half weights", b: 2, ci: 9, co: 10, h: 7, w: 19, half: true, algorithm: .auto)
        check("im2col upsamples first", b: 2, ci: 4, co: 5, h: 6, w: 9, algorithm: .im2col)
    }

    func testAutoPicksAPathThatMatches() {
        check("auto 3x3 (Winograd)", b: 2, ci: 16, co: 16, h: 16, w: 24, algorithm: .auto)
        check("auto 1x1", b: 2, ci: 12, co: 9, h: 11, w: 13, k: 1, pad: Padding2D(0), algorithm: .auto)
    }

    func testHalfWeights() {
        check("half winograd", b: 2, ci: 9, co: 10, h: 21, w: 37, half: true, algorithm: .winograd)
        check("half im2col 3x3", b: 1, ci: 9, co: 10, h: 21, w: 37, half: true, algorithm: .im2col)
        check("half stride 2", b: 2, ci: 4, co: 6, h: 17, w: 16, stride: 2,
              pad: Padding2D(top: 0, bottom: 1, left: 0, right: 1), half: true, algorithm: .auto)
        // 8×8 maps at batch 2 (32 tiles): auto takes Winograd for half weights only.
        check("half auto 8x8", b: 2, ci: 16, co: 12, h: 8, w: 8, half: true, algorithm: .auto)
        check("half 1x1", b: 2, ci: 12, co: 9, h: 11, w: 13, k: 1, pad: Padding2D(0), half: true, algorithm: .auto)
    }

    /// A half weight on the im2col path widened in blocks of output rows (3 of 81 floats, a ragged last block):
    /// one sgemm per block into its rows of the output, batch 1 (straight into the output) and 2 (via the
    /// scatter), 3×3 and 1×1.
    func testHalfIm2colInRowBlocks() {
        let saved = Parameter.wideningBlockFloats
        Parameter.wideningBlockFloats = 3 * 81
        defer { Parameter.wideningBlockFloats = saved }
        check("half im2col blocks b1", b: 1, ci: 9, co: 10, h: 5, w: 7, half: true, algorithm: .im2col)
        check("half im2col blocks b2", b: 2, ci: 9, co: 10, h: 4, w: 4, half: true, algorithm: .im2col)
        check("half 1x1 blocks", b: 2, ci: 81, co: 10, h: 3, w: 5, k: 1, pad: Padding2D(0), half: true,
              algorithm: .auto)
    }
}

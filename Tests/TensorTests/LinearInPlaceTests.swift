// Tensor.linearInPlace writes a linear layer's output over its input's buffer in row blocks: every value must be
// linear's own (maxdiff 0), for float32 and half weights, with and without bias, square and narrowing weights, row
// counts that leave a ragged last block; below its size threshold, and for a widening weight, it is linear.
// Blocks of ≥ 64 rows, as in the UNet (≥ 200): OpenBLAS multiplies tiny products (m·n·k ≤ 64³) with other
// kernels, whose sums run in another order.
import Tensor
import XCTest

final class LinearInPlaceTests: XCTestCase {
    func testInPlaceEqualsLinear() {
        let (savedMin, savedBlock) = (Tensor.inPlaceMinFloats, Tensor.inPlaceBlockFloats)
        defer { Tensor.inPlaceMinFloats = savedMin; Tensor.inPlaceBlockFloats = savedBlock }
        Tensor.inPlaceMinFloats = 1000
        for (i, o) in [(96, 96), (128, 96), (96, 128)] {       // square, narrowing, widening (falls back)
            Tensor.inPlaceBlockFloats = 80 * o                 // ≤ 80 rows a block: 4 equal blocks of 75
            for half in [false, true] {
                for withBias in [false, true] {
                    let x = ConvReference.values([2, 150, i], seed: 5)                        // [B, T, I]
                    let w = ConvReference.values([o, i], seed: 6)                            // [O, I]
                    let p = half ? Parameter.narrowing(w) : Parameter(w)
                    let bias = withBias ? ConvReference.values([o], seed: 7) : nil
                    let want = x.linear(weight: p, bias: bias)                               // [B, T, O]
                    let got = Tensor.linearInPlace(Tensor(shape: x.shape, data: Array(x.data)), weight: p,
                                                   bias: bias)
                    let d = got.maxAbsDiff(want)
                    print("linear in place [2, 150, \(i)] → \(o)\(half ? " half" : "")\(withBias ? " bias" : ""): "
                          + "maxdiff \(d) (scale \(want.maxAbs))")
                    XCTAssertEqual(got.shape, [2, 150, o])
                    XCTAssertEqual(d, 0)
                    XCTAssertGreaterThan(want.maxAbs, 0.5)
                }
            }
        }
    }
}

// Conv2d's Winograd layers (WinogradWeightCache.enabled): a float32 layer keeps its transformed weights from the
// first Winograd call and drops the weight; after that every map size takes Winograd (half layers: conv2d's choice).
import XCTest
import Models
import Tensor

final class Conv2dWinogradTests: XCTestCase {
    private func check(_ name: String, _ got: Tensor, _ ref: Tensor, tolerance: Float) {
        let d = got.maxAbsDiff(ref)
        print("\(name): maxdiff \(d) (scale \(ref.maxAbs))")
        XCTAssertEqual(got.shape, ref.shape, name)
        XCTAssertLessThanOrEqual(d, tolerance * max(1, ref.maxAbs), name)
    }

    func testKeptTransformAcrossMapSizesAndResidencies() throws {
        XCTAssertTrue(WinogradWeightCache.enabled)
        let w = TestValues.uniform([12, 10, 3, 3], seed: 3), b = TestValues.uniform([12], seed: 4)
        let rounded = Tensor(shape: w.shape, data: w.data.map { Float(Float16($0)) })
        let source = DictionaryWeights(["c.weight": w, "c.bias": b])
        var conv = try Conv2d(WeightLoader(source, residency: .f32), "c", in: 10, out: 12, kernel: 3, padding: 1)
        let half = try Conv2d(WeightLoader(DictionaryWeights(["c.weight": rounded, "c.bias": b]), residency: .f16),
                              "c", in: 10, out: 12, kernel: 3, padding: 1)
        let wide = try Conv2d(WeightLoader(DictionaryWeights(["c.weight": rounded, "c.bias": b]), residency: .f32),
                              "c", in: 10, out: 12, kernel: 3, padding: 1)
        XCTAssertTrue(half.weight.isHalf)
        // A 4×4 map first (8 tiles: im2col, the weight stays), a big one (Winograd: U replaces the weight), the
        // 4×4 one again (Winograd on U), the big one again.
        let small = TestValues.uniform([2, 10, 4, 4], seed: 9)
        let first = conv(small)
        check("conv 4×4 before the drop vs im2col", first,
              small.conv2d(weight: w, bias: b, stride: 1, padding: Padding2D(1), algorithm: .im2col), tolerance: 0)
        check("half-resident 4×4 vs widened", half(small), wide(small), tolerance: 0)
        for (i, size) in [(21, 37), (4, 4), (21, 37)].enumerated() {
            let x = TestValues.uniform([2, 10, size.0, size.1], seed: UInt64(10 + i))
            let y = conv(x)
            check("conv \(x.shape) vs per-call Winograd", y,
                  x.conv2d(weight: w, bias: b, stride: 1, padding: Padding2D(1), algorithm: .winograd), tolerance: 0)
            check("conv \(x.shape) vs im2col", y,
                  x.conv2d(weight: w, bias: b, stride: 1, padding: Padding2D(1), algorithm: .im2col), tolerance: 1e-5)
            // The widened layer dropped its weight at the first map, so on 4×4 it stays on Winograd.
            check("half-resident conv \(x.shape) vs widened", half(x), wide(x), tolerance: size.0 > 4 ? 0 : 1e-5)
        }
        // The dropped weight comes back from U within a rounding of its values.
        XCTAssertFalse(conv.weight.isHalf)
        check("weight rebuilt from U", conv.weight.tensor, w, tolerance: 1e-6)
        // A new weight replaces the kept transform.
        conv.weight = Parameter(rounded)
        let x = TestValues.uniform([2, 10, 9, 11], seed: 20)
        check("after setting the weight", conv(x), wide(x), tolerance: 0)
    }
}

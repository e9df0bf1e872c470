// The permuted-weights control: the same values in an order fixed by (seed, tensor name) — pinned against a
// Python replay of SplitMix64 (seed ^ FNV-1a(name), Fisher–Yates from the top), so `--permute-weights 1`
// gives the same control model on every platform and in every version.
import Pipeline
import Tensor
import XCTest

final class WeightPermutationTests: XCTestCase {
    func testPermutationIsPinnedPerSeedAndName() {
        let t = Tensor(shape: [2, 5], data: (0..<10).map(Float.init))
        let p = WeightPermutation.permuted(t, name: "conv.weight", seed: 1)
        XCTAssertEqual(p.shape, [2, 5])
        XCTAssertEqual(p.data, [3, 7, 6, 1, 5, 2, 8, 0, 9, 4])
        XCTAssertEqual(p.data.sorted(), t.data, "the same values")
        XCTAssertNotEqual(WeightPermutation.permuted(t, name: "conv.bias", seed: 1).data, p.data)
        XCTAssertNotEqual(WeightPermutation.permuted(t, name: "conv.weight", seed: 2).data, p.data)
    }
}

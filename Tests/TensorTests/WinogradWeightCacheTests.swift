// The Winograd path with transformed weights kept per layer (WinogradWeightCache) and within a scratch budget:
// cached vs per-call transform, the cache across map sizes, budget-chunked vs whole, half vs float32 weights.
import XCTest
import Tensor

final class WinogradWeightCacheTests: XCTestCase {
    private let wt = ConvReference.values([12, 10, 3, 3], seed: 21)
    private let bias = ConvReference.values([12], seed: 22)

    private func conv(_ x: Tensor, cache: WinogradWeightCache? = nil, weight: Parameter? = nil,
                      algorithm: Conv2DAlgorithm = .winograd) -> Tensor {
        x.conv2d(weight: weight ?? Parameter(wt), bias: bias, stride: 1, padding: Padding2D(1), algorithm: algorithm,
                 cache: cache)
    }

    /// Checks `got` against the Double reference (README's Winograd tolerance, as WinogradConvTests).
    private func checkDirect(_ name: String, _ x: Tensor, _ got: Tensor, weight: Tensor? = nil) {
        let ref = ConvReference.direct(x, weight ?? wt, bias, stride: 1, pad: Padding2D(1))
        let d = got.maxAbsDiff(ref)
        print("\(name) \(x.shape): maxdiff vs direct \(d) (scale \(ref.maxAbs))")
        XCTAssertLessThanOrEqual(d, 1e-5 * max(1, ref.maxAbs), name)
    }

    func testCachedEqualsPerCallAcrossMapSizes() {
        XCTAssertTrue(WinogradWeightCache.enabled)
        let cache = WinogradWeightCache()
        XCTAssertEqual(cache.residentBytes, 0)
        // A map, a smaller one, then the first again: U is computed once and right for every size.
        for (i, (h, w)) in [(21, 37), (6, 5), (21, 37)].enumerated() {
            let x = ConvReference.values([2, 10, h, w], seed: UInt64(30 + i))
            let cached = conv(x, cache: cache), perCall = conv(x)
            let d = cached.maxAbsDiff(perCall)
            print("cached vs per-call \(x.shape): maxdiff \(d)")
            XCTAssertEqual(d, 0, "cached U must give the per-call transform's values")
            checkDirect("cached", x, cached)
            XCTAssertEqual(cache.residentBytes, 4 * 16 * 12 * 10)
        }
    }

    func testHalfWeightsAreNotCached() {
        let cache = WinogradWeightCache()
        let half = Parameter.narrowing(wt)
        let x = ConvReference.values([2, 10, 14, 18], seed: 40)
        let got = conv(x, cache: cache, weight: half)
        XCTAssertEqual(cache.residentBytes, 0)
        // Half weights give exactly the float32 path on the same (rounded) values, cached or not.
        let rounded = half.tensor
        let f32 = x.conv2d(weight: Parameter(rounded), bias: bias, stride: 1, padding: Padding2D(1),
                           algorithm: .winograd, cache: WinogradWeightCache())
        let d = got.maxAbsDiff(f32)
        print("half vs float32 (cached) Winograd: maxdiff \(d)")
        XCTAssertEqual(d, 0)
        checkDirect("half", x, got, weight: rounded)
    }

    func testScratchBudgetChunks() {
        // Budgets that force tile chunks and output-channel blocks, both loop orders (cached and per-call U).
        let x = ConvReference.values([2, 10, 22, 37], seed: 50)
        let whole = conv(x)
        for floats in [1 << 20, 16 * 22 * 64, 16 * 22 * 9, 1] {
            for cache in [nil, WinogradWeightCache()] {
                for weight in [Parameter(wt), Parameter.narrowing(wt)] {
                    let got = conv(x, cache: cache, weight: weight, algorithm: .winogradBudget(floats: floats))
                    let ref = weight.isHalf ? conv(x, weight: weight) : whole
                    let d = got.maxAbsDiff(ref)
                    print("budget \(floats) floats, \(cache == nil ? "per-call" : "cached")"
                          + "\(weight.isHalf ? " half" : ""): maxdiff vs whole \(d)")
                    XCTAssertEqual(d, 0, "chunking must not change a value")
                }
            }
        }
        checkDirect("budget", x, conv(x, algorithm: .winogradBudget(floats: 1)))
    }
}

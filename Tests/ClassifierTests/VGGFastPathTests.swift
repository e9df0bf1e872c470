// VGGNetwork's fast paths against the plain ones: ReLU folded into the max pool, and the one-image classifier head
// (a matrix-vector product) against Tensor.linear's sgemm and a double-precision sum.
import ClassifierSupport
import Tensor
import XCTest

final class VGGFastPathTests: XCTestCase {
    /// A deterministic tensor in [-1, 1).
    func uniform(_ shape: [Int], seed: UInt64) -> Tensor {
        var s = seed
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(s >> 40) / Float(1 << 24) * 2 - 1
        })
    }

    func testPoolWithReLUEqualsReLUThenPool() throws {
        let net = VGGNetwork.random(config: try XCTUnwrap(VGGConfig.named("vgg16")), seed: 3, divisor: 16)
        let x = uniform([1, 3, 64, 64], seed: 5)   // [1, 3, 64, 64]
        let fused = net.features(x)                 // ReLU inside each pool
        let plain = net.features(x) { _ in }        // a tap: ReLU before each pool
        XCTAssertEqual(fused.shape, [1, 32, 2, 2])
        let d = zip(fused.data, plain.data).map { abs($0 - $1) }.reduce(Float(0)) { $0.nanAwareMax($1) }
        print("VGG features, pool with ReLU vs ReLU then pool: maxdiff \(d)")
        XCTAssertEqual(d, 0)
        XCTAssertGreaterThan(fused.data.filter { $0 > 0 }.count, 0)

        let m = uniform([2, 3, 5, 6], seed: 7)      // odd sizes: the last row and column have no window
        let pooled = m.maxPool2d(kernel: 2, stride: 2, relu: true), ref = m.maxPool2d(kernel: 2, stride: 2)
        XCTAssertEqual(pooled.shape, [2, 3, 2, 3])
        XCTAssertEqual(pooled.data, ref.data.map { Swift.max($0, 0) })
        XCTAssertTrue(ref.data.contains { $0 < 0 } || pooled.data.allSatisfy { $0 >= 0 })
    }

    func testOneRowHeadMatchesSgemmAndDouble() {
        let (o, n) = (1003, 3001)                   // not multiples of 4 or 8: the tails run too
        let w = uniform([o, n], seed: 11), b = uniform([o], seed: 12), x = uniform([1, n], seed: 13)
        let l = VGGNetwork.Linear(weight: w, bias: b)
        let fast = VGGNetwork.linearOneRow(x, l), blas = x.linear(weight: w, bias: b)
        XCTAssertEqual(fast.shape, [1, o])
        var worst: (fast: Float, blas: Float) = (0, 0)
        for r in 0..<o {
            var s = Double(b.data[r])
            for i in 0..<n { s += Double(x.data[i]) * Double(w.data[r * n + i]) }
            worst = (worst.fast.nanAwareMax(abs(Float(s) - fast.data[r])),
                     worst.blas.nanAwareMax(abs(Float(s) - blas.data[r])))
        }
        print("VGG one-row head vs double: maxdiff \(worst.fast) (sgemm: \(worst.blas)), "
              + "scale ~\(Float(n).squareRoot() / 3)")
        XCTAssertLessThan(worst.fast, 2e-5)
    }
}

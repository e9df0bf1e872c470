// linear against a Double reference on shapes that are not multiples of any tile, with float32 and half weights,
// with and without bias, through both half paths (thread blocks and shared blocks); and half weights give exactly
// the float32 result of the same values.
import Tensor
import XCTest

final class LinearHalfBlocksTests: XCTestCase {
    /// Deterministic values in [-1, 1) (a small LCG; no Foundation randomness in tests).
    private func values(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed
        return (0..<n).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(s >> 40) - (1 << 23)) / Float(1 << 23)
        }
    }

    /// max |a − b| over all elements, NaN when either holds a NaN (so a NaN fails the bound).
    private func maxDiff(_ a: Tensor, _ b: [Double]) -> Double {
        var d = 0.0
        for (x, y) in zip(a.data, b) {
            let e = abs(Double(x) - y)
            if e.isNaN { return .nan }
            d = max(d, e)
        }
        return d
    }

    func testOddShapesMatchDoubleReference() {
        let savedFloats = Tensor.linearBlockFloats, savedPath = Tensor.linearHalfPath
        defer { Tensor.linearBlockFloats = savedFloats; Tensor.linearHalfPath = savedPath }
        // (M, K, N): tiny blocks (a few rows of ≤ 2000 floats) so every weight is split into many uneven blocks.
        Tensor.linearBlockFloats = 2000
        for (m, k, n) in [(37, 61, 83), (1, 19, 141), (130, 77, 33), (5, 300, 47)] {
            let x = Tensor(shape: [m, k], data: values(m * k, seed: 1))
            // Weights already on the binary16 grid, so float32 and half residency hold the same numbers.
            let w = Tensor(shape: [n, k], data: values(n * k, seed: 2).map { Float(Float16($0 * 0.2)) })
            let bias = Tensor(shape: [n], data: values(n, seed: 3))
            for withBias in [false, true] {
                var ref = [Double](repeating: 0, count: m * n)
                for r in 0..<m {
                    for o in 0..<n {
                        var s = withBias ? Double(bias.data[o]) : 0
                        for j in 0..<k { s += Double(x.data[r * k + j]) * Double(w.data[o * k + j]) }
                        ref[r * n + o] = s
                    }
                }
                let fp32 = x.linear(weight: Parameter(w), bias: withBias ? bias : nil)
                let dFloat = maxDiff(fp32, ref)
                var line = "linear M=\(m) K=\(k) N=\(n) bias=\(withBias): fp32 maxdiff \(dFloat)"
                XCTAssertLessThanOrEqual(dFloat, 2e-6 * Double(k).squareRoot())
                for path in [LinearHalfPath.threadBlocks, .sharedBlocks] {
                    Tensor.linearHalfPath = path
                    let half = x.linear(weight: .narrowing(w), bias: withBias ? bias : nil)
                    let d = maxDiff(half, ref), dSame = half.maxAbsDiff(fp32)
                    line += ", half \(path) maxdiff \(d) (vs fp32 \(dSame))"
                    XCTAssertLessThanOrEqual(d, 2e-6 * Double(k).squareRoot())
                    XCTAssertEqual(half.shape, [m, n])
                    XCTAssertFalse(dSame.isNaN)
                }
                print(line)
            }
        }
    }
}

// The CKernels softmax and GroupNorm passes (AVX2+FMA where the CPU has it) against double-precision references.
import Foundation
import Tensor
import XCTest

final class FusedKernelTests: XCTestCase {
    func testExpShiftSumAndRowMaxAgainstDouble() {
        var worstRel = 0.0, worstSum = 0.0
        for n in [1, 7, 8, 9, 15, 16, 17, 37, 1000] {
            let x = (0..<n).map { Float(-30 + 40 * sin(Double($0) * 0.7)) }
            let m = x.withUnsafeBufferPointer { maxOf($0.baseAddress!, n: n) }
            XCTAssertEqual(m, x.max()!, "row max, n \(n)")
            var y = [Float](repeating: .nan, count: n)
            let sum = x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                expShiftSum(xp.baseAddress!, yp.baseAddress!, n: n, shift: 2.5) } }
            var ref = 0.0
            for i in 0..<n {
                let e = Foundation.exp(Double(x[i] - 2.5))      // the float argument the kernel sees
                ref += e
                worstRel = max(worstRel, abs(Double(y[i]) - e) / e)
            }
            worstSum = max(worstSum, abs(Double(sum) - ref) / ref)
        }
        print("FusedKernelTests: exp(x − shift) max relative error \(worstRel), sum \(worstSum) "
              + "(AVX2+FMA \(vectorKernelsUseAVX2))")
        XCTAssertLessThanOrEqual(worstRel, 3e-7)
        XCTAssertLessThanOrEqual(worstSum, 1e-6)
        // −∞ (masked keys) gives exactly 0; NaN stays NaN (the pipeline's non-finite checks must see it).
        var edge: [Float] = [-.infinity, .nan, -200, 0, 1, 2, 3, 4, 5]
        _ = edge.withUnsafeMutableBufferPointer { expShiftSum($0.baseAddress!, $0.baseAddress!, n: 9, shift: 0) }
        XCTAssertEqual(edge[0], 0)
        XCTAssertTrue(edge[1].isNaN)
        XCTAssertEqual(edge[2], 0)
        XCTAssertEqual(edge[3], 1)
    }

    func testGroupNormSiLUAgainstDouble() {
        let (b, c, h, w, groups) = (2, 12, 5, 7, 4)
        var s: UInt64 = 11
        func r() -> Float {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(s >> 40) / Float(1 << 24) * 2 - 1
        }
        let x = Tensor(shape: [b, c, h, w], data: (0..<(b * c * h * w)).map { _ in 3 + 2 * r() })
        let gamma = Tensor(shape: [c], data: (0..<c).map { _ in 1 + 0.5 * r() })
        let beta = Tensor(shape: [c], data: (0..<c).map { _ in r() })
        var worst: Float = 0
        for silu in [false, true] {
            let got = x.groupNorm(groups: groups, weight: gamma, bias: beta, eps: 1e-5, silu: silu)
            var inPlace = x
            inPlace.groupNormInPlace(groups: groups, weight: gamma, bias: beta, eps: 1e-5, silu: silu)
            XCTAssertEqual(got.maxAbsDiff(inPlace), 0, "in place = out of place")
            let cpg = c / groups, n = cpg * h * w
            var ref = [Float](repeating: 0, count: x.count)
            for bg in 0..<(b * groups) {
                let base = bg * n
                let mean = (0..<n).reduce(0.0) { $0 + Double(x.data[base + $1]) } / Double(n)
                let v = (0..<n).reduce(0.0) { let d = Double(x.data[base + $1]) - mean; return $0 + d * d } / Double(n)
                for i in 0..<n {
                    let ch = (bg % groups) * cpg + i / (h * w)
                    let y = (Double(x.data[base + i]) - mean) / (v + 1e-5).squareRoot() * Double(gamma.data[ch])
                        + Double(beta.data[ch])
                    ref[base + i] = Float(silu ? y / (1 + Foundation.exp(-y)) : y)
                }
            }
            let d = got.maxAbsDiff(Tensor(shape: x.shape, data: ref))
            print("FusedKernelTests: groupNorm\(silu ? "+SiLU" : "") maxdiff vs double \(d)")
            worst = worst.nanAwareMax(d)
        }
        XCTAssertLessThanOrEqual(worst, 2e-6)
    }
}

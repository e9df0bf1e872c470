// ldmp_wino_weights (AVX-512 groups of 16 channels, AVX2 groups of 8, scalar rest) against G w Gᵀ written out in
// Swift with the kernel's adds: bit-identical (maxdiff 0) for float32 and half weights on channel counts that leave
// every mix of groups, and half input giving exactly what its widened float32 gives (half residency's promise).
import CKernels
import XCTest

final class WinogradWeightTransformTests: XCTestCase {
    /// U [16, O, I] of w [O, I, 3, 3]: rows G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], adds as (a + c) ± b, then × ½.
    private func reference(_ w: [Float], co: Int, ci: Int) -> [Float] {
        var u = [Float](repeating: 0, count: 16 * co * ci)
        func g(_ a: Float, _ b: Float, _ c: Float) -> [Float] {
            let ac = a + c
            return [a, 0.5 * (ac + b), 0.5 * (ac - b), c]
        }
        for o in 0..<co {
            for c in 0..<ci {
                let k = Array(w[(o * ci + c) * 9 ..< (o * ci + c + 1) * 9])
                let cols = (0..<3).map { j in g(k[j], k[3 + j], k[6 + j]) }   // cols[j][r] = (G k)[r][j]
                for r in 0..<4 {
                    let row = g(cols[0][r], cols[1][r], cols[2][r])
                    for s in 0..<4 { u[(4 * r + s) * co * ci + o * ci + c] = row[s] }
                }
            }
        }
        return u
    }

    /// Largest |a − b|, NaN if either holds one (so a NaN fails the == 0 check).
    private func maxDiff(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { m, p in
            let d = abs(p.0 - p.1)
            return d.isNaN || m.isNaN ? .nan : max(m, d)
        }
    }

    private func transform(_ w: UnsafeRawPointer, half: Bool, co: Int, ci: Int, blocks: [Range<Int>]) -> [Float] {
        var u = [Float](repeating: .nan, count: 16 * co * ci)
        u.withUnsafeMutableBufferPointer { ub in
            for r in blocks {   // each block with the whole [O, I] stride, as Conv2DWinograd.transform writes it
                ldmp_wino_weights(w, half ? 1 : 0, Int32(ci), Int32(r.lowerBound), Int32(r.upperBound),
                                  ub.baseAddress! + r.lowerBound * ci, Int64(co * ci))
            }
        }
        return u
    }

    func testMatchesReferenceBitForBit() {
        var rng = SystemRandomNumberGenerator()
        for (co, ci) in [(3, 1), (2, 5), (3, 8), (2, 13), (3, 16), (2, 24), (3, 29), (2, 37), (3, 48), (2, 61)] {
            let halves = (0..<(co * ci * 9)).map { _ in Float16(Float.random(in: -2...2, using: &rng)) }
            let widened = halves.map { Float($0) }
            let blocks = [0..<1, 1..<co]
            let fromHalf = halves.withUnsafeBytes { transform($0.baseAddress!, half: true, co: co, ci: ci,
                                                               blocks: blocks) }
            let fromFloat = widened.withUnsafeBytes { transform($0.baseAddress!, half: false, co: co, ci: ci,
                                                                 blocks: blocks) }
            let ref = reference(widened, co: co, ci: ci)
            let dHalf = maxDiff(fromHalf, ref), dFloat = maxDiff(fromFloat, ref), dBoth = maxDiff(fromHalf, fromFloat)
            print("wino weights [\(co), \(ci), 3, 3]: maxdiff half \(dHalf), float32 \(dFloat), half vs float32 \(dBoth)")
            XCTAssertEqual(dHalf, 0, "half \(co)×\(ci)")
            XCTAssertEqual(dFloat, 0, "float32 \(co)×\(ci)")
            XCTAssertEqual(dBoth, 0, "half vs float32 \(co)×\(ci)")
        }
    }
}

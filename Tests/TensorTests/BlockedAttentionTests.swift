// The blocked attention kernel (tasks of query blocks, fused exp/sum, normalisation after P·V) against the plain
// one (whole score matrix, softmax, then P·V) on shapes that span several blocks with a ragged last block; and the
// vectorised exp/erf against Foundation's double-precision functions.
import XCTest
import Foundation
import Tensor

final class BlockedAttentionTests: XCTestCase {
    private func values(_ shape: [Int], seed: UInt64, scale: Float = 2) -> Tensor {
        attentionTestValues(shape, seed: seed, scale: scale)
    }

    private func compare(b: Int, tq: Int, tk: Int, heads: Int, d: Int, causal: Bool, blockRows: Int,
                         file: StaticString = #filePath, line: UInt = #line) {
        let c = heads * d
        let q = values([b, tq, c], seed: 1), k = values([b, tk, c], seed: 2), v = values([b, tk, c], seed: 3)
        let plain = Tensor.attentionReference(q: q, k: k, v: v, heads: heads, causal: causal)   // [B, Tq, C]
        let blocked = Tensor.attention(q: q, k: k, v: v, heads: heads, causal: causal, blockRows: blockRows)
        let auto = Tensor.attention(q: q, k: k, v: v, heads: heads, causal: causal)
        XCTAssertEqual(blocked.shape, [b, tq, c], file: file, line: line)
        let diff = blocked.maxAbsDiff(plain), diffAuto = auto.maxAbsDiff(plain)
        print("attention b \(b) tq \(tq) tk \(tk) heads \(heads) d \(d) causal \(causal) blockRows \(blockRows) "
              + "(\((tq + blockRows - 1) / blockRows) blocks, last \(tq - (tq - 1) / blockRows * blockRows) rows): "
              + "maxdiff \(diff), default blocks maxdiff \(diffAuto) (scale \(plain.maxAbs))")
        XCTAssertLessThanOrEqual(diff, 2e-6 * max(1, plain.maxAbs), file: file, line: line)
        XCTAssertLessThanOrEqual(diffAuto, 2e-6 * max(1, plain.maxAbs), file: file, line: line)
    }

    func testSelfAttentionRaggedBlocks() {
        // 300 queries in blocks of 64: 4 full blocks and one of 44.
        compare(b: 2, tq: 300, tk: 300, heads: 3, d: 8, causal: false, blockRows: 64)
    }

    func testCrossAttentionRaggedBlocks() {
        // UNet attn2 layout: 77 text tokens as keys; 250 queries in blocks of 48 (last 10).
        compare(b: 2, tq: 250, tk: 77, heads: 4, d: 10, causal: false, blockRows: 48)
    }

    func testCausalRaggedBlocks() {
        // CLIP text layout: causal, 77 tokens in blocks of 16 (last 13); a block's later rows see more keys.
        compare(b: 2, tq: 77, tk: 77, heads: 2, d: 16, causal: true, blockRows: 16)
    }

    func testSingleHeadWide() {
        // VAE mid-block layout: one head, d = 64, 130 tokens in blocks of 32 (last 2).
        compare(b: 1, tq: 130, tk: 130, heads: 1, d: 64, causal: false, blockRows: 32)
    }

    func testVectorExp() {
        var maxRel = 0.0
        var xs: [Float] = (0..<40_000).map { -87 + 175 * Float($0) / 40_000 }
        xs += [0, 1, -1, 1e-8, -1e-8, 88]
        while xs.count % 8 != 0 { xs.append(0) }
        for i in stride(from: 0, to: xs.count, by: 8) {
            let x = FloatV(xs[i ..< i + 8])
            let e = expV(x)
            for l in 0..<8 {
                let ref = Foundation.exp(Double(x[l]))
                maxRel = maxRel.nanAwareMax(abs(Double(e[l]) - ref) / ref)
            }
        }
        let under = expV(FloatV(repeating: -.infinity)), tiny = expV(FloatV(repeating: -100))
        print("expV: max relative error \(maxRel) over [−87, 88]; e^−∞ = \(under[0]), e^−100 = \(tiny[0])")
        XCTAssertLessThan(maxRel, 3e-7)
        XCTAssertEqual(under, FloatV(repeating: 0))
        XCTAssertEqual(tiny, FloatV(repeating: 0))
    }

    func testVectorErf() {
        var maxAbs = 0.0
        for i in stride(from: 0, to: 16_000, by: 8) {
            let x = FloatV((0..<8).map { -8 + 16 * Float(i + $0) / 16_000 })
            let e = erfV(x)
            for l in 0..<8 { maxAbs = maxAbs.nanAwareMax(abs(Double(e[l]) - Foundation.erf(Double(x[l])))) }
        }
        print("erfV: max absolute error \(maxAbs) over [−8, 8]")
        XCTAssertLessThan(maxAbs, 5e-7)   // A&S bound 1.5e-7 plus float rounding near |erf| = 1
    }
}

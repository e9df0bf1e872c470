// The fused attention kernel (CKernels attn_fused.c) against the plain one (whole score matrix, softmax, then
// P·V) on the shapes the models run, cut down in tokens: head sizes 40/80/160 (UNet), 64 (CLIP, causal), 512
// (VAE), ragged query blocks, key counts off the 64-key panels and head sizes off the 16-lane vectors.
import XCTest
import Tensor

final class FusedAttentionTests: XCTestCase {
    private func values(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        attentionTestValues(shape, seed: seed, scale: scale)
    }

    private func compare(b: Int, tq: Int, tk: Int, heads: Int, d: Int, causal: Bool = false,
                         file: StaticString = #filePath, line: UInt = #line) {
        let c = heads * d
        let q = values([b, tq, c], seed: 11), k = values([b, tk, c], seed: 12), v = values([b, tk, c], seed: 13)
        let plain = Tensor.attentionReference(q: q, k: k, v: v, heads: heads, causal: causal)   // [B, Tq, C]
        let fused = Tensor.attention(q: q, k: k, v: v, heads: heads, causal: causal, fused: true)
        let diff = fused.maxAbsDiff(plain)
        print("fused attention (AVX-512 \(Tensor.fusedAttentionRuns)) b \(b) tq \(tq) tk \(tk) heads \(heads) d \(d) "
              + "causal \(causal): maxdiff \(diff) (scale \(plain.maxAbs))")
        XCTAssertEqual(fused.shape, [b, tq, c], file: file, line: line)
        XCTAssertLessThanOrEqual(diff, 5e-7 * max(1, plain.maxAbs), file: file, line: line)
    }

    func testUNetSelfAttentionHeads() {
        compare(b: 2, tq: 200, tk: 200, heads: 2, d: 40)    // 200 keys: 4 panels, the last of 8 keys
        compare(b: 1, tq: 130, tk: 256, heads: 2, d: 80)
        compare(b: 1, tq: 64, tk: 64, heads: 2, d: 160)     // 160 = two chunks of 5 vectors
    }

    func testCrossAttention() {
        compare(b: 2, tq: 150, tk: 77, heads: 3, d: 40)
    }

    func testCausalText() {
        compare(b: 2, tq: 77, tk: 77, heads: 2, d: 64, causal: true)
    }

    func testVAEHeadAndOddSizes() {
        compare(b: 1, tq: 100, tk: 100, heads: 1, d: 512)   // 32 vectors: 8 chunks of 4; queries split in tasks
        compare(b: 2, tq: 50, tk: 33, heads: 3, d: 8)       // one masked vector
        compare(b: 1, tq: 30, tk: 17, heads: 2, d: 21, causal: true)
    }
}

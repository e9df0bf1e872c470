// Attention written over its queries (the UNet's Attention saves its output buffer so, docs/memory.md) gives the
// out-of-place values bit for bit, on the fused and the sgemm paths. (GroupNorm in place: FusedKernelTests.)
import XCTest
import Tensor

final class AttentionOverQueriesTests: XCTestCase {
    private func attentionOverQueries(b: Int, tq: Int, tk: Int, heads: Int, d: Int, causal: Bool = false,
                                      blockRows: Int? = nil, fused: Bool? = nil,
                                      file: StaticString = #filePath, line: UInt = #line) {
        let c = heads * d
        let q = attentionTestValues([b, tq, c], seed: 21, scale: 2)
        let k = attentionTestValues([b, tk, c], seed: 22, scale: 2), v = attentionTestValues([b, tk, c], seed: 23, scale: 2)
        let out = Tensor.attention(q: q, k: k, v: v, heads: heads, causal: causal, blockRows: blockRows, fused: fused)
        var over = q
        Tensor.attention(overQueries: &over, k: k, v: v, heads: heads, causal: causal, blockRows: blockRows,
                         fused: fused)
        let diff = over.maxAbsDiff(out)
        print("attention over queries b \(b) tq \(tq) tk \(tk) heads \(heads) d \(d) causal \(causal) "
              + "blockRows \(blockRows.map(String.init) ?? "auto") fused \(fused.map(String.init) ?? "auto"): "
              + "maxdiff \(diff) against the out-of-place result (scale \(out.maxAbs))")
        XCTAssertEqual(over.shape, out.shape, file: file, line: line)
        XCTAssertEqual(diff, 0, file: file, line: line)
        XCTAssertGreaterThan(q.maxAbsDiff(over), 0, "the queries were overwritten", file: file, line: line)
    }

    func testAttentionOverQueriesMatchesOutOfPlace() {
        // The UNet's self-attention shape class (fused kernel where the CPU has AVX-512), cross-attention on
        // 77 keys, and the sgemm path with ragged query blocks and a causal mask.
        attentionOverQueries(b: 2, tq: 300, tk: 300, heads: 2, d: 40)
        attentionOverQueries(b: 2, tq: 300, tk: 77, heads: 2, d: 40)
        attentionOverQueries(b: 2, tq: 300, tk: 300, heads: 2, d: 40, fused: true)
        attentionOverQueries(b: 2, tq: 130, tk: 130, heads: 3, d: 16, blockRows: 48, fused: false)
        attentionOverQueries(b: 2, tq: 77, tk: 77, heads: 2, d: 16, causal: true, blockRows: 16, fused: false)
    }
}

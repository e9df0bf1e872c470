// FeedForward computes the GEGLU projection in chunks of token rows once the [rows, 8C] intermediate would pass
// 8 MB: the chunked result must equal the one-shot out(geglu(proj(x))).
import XCTest
import Models
import Tensor

final class FeedForwardChunkTests: XCTestCase {
    func testChunkedEqualsOneShot() throws {
        // C = 8: the projection is [64, 8], so chunks are 2 M / 64 = 32768 rows; 2 × 20000 rows → 2 chunks, the
        // last one ragged (7232 rows).
        let c = 8
        let ff = try FeedForward(WeightLoader(RandomWeights(seed: 7)), "ff", channels: c)
        let x = TestValues.uniform([2, 20_000, c], seed: 5)                    // [B, T, C]
        let chunked = ff(x)                                                     // [B, T, C]
        let oneShot = ff.out(ff.proj(x).geglu())                                // [B, T, C]
        let d = chunked.maxAbsDiff(oneShot)
        print("FeedForward chunked vs one-shot: maxdiff \(d) (scale \(oneShot.maxAbs))")
        XCTAssertEqual(chunked.shape, [2, 20_000, c])
        XCTAssertLessThanOrEqual(d, 1e-6 * max(1, oneShot.maxAbs))
    }
}

// The maxdiff every parity test relies on must fail on NaN: Swift.max(m, .nan) returns m, so a maxdiff built on
// it reports 0 for an all-NaN output. Tensor.maxAbsDiff and nanAwareMax propagate NaN instead.
import Tensor
import XCTest

final class MaxAbsDiffTests: XCTestCase {
    func testAllNaNOutputFailsTheComparison() {
        let reference = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let allNaN = Tensor(shape: [2, 3], data: [Float](repeating: .nan, count: 6))
        let d = allNaN.maxAbsDiff(reference)
        print("all-NaN output: maxdiff \(d)")
        XCTAssertTrue(d.isNaN)
        XCTAssertFalse(d <= 1e-3, "an all-NaN output must not pass maxdiff ≤ tolerance")
        XCTAssertTrue(reference.maxAbsDiff(allNaN).isNaN, "NaN in the reference fails too")
        // What the old helper did: max(m, d) drops every NaN.
        XCTAssertEqual(zip(allNaN.data, reference.data).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }, 0)
    }

    func testOneNaNAnywhereFailsAndMismatchedCountsFail() {
        let reference: [Float] = [0, 1, 2, 3, 4]
        for i in reference.indices {
            var got = reference
            got[i] = .nan
            let d = Tensor.maxAbsDiff(got, reference)
            print("NaN at \(i): maxdiff \(d)")
            XCTAssertTrue(d.isNaN, "NaN at \(i)")
        }
        var big = reference
        big[4] = 1e9
        big[0] = .nan
        XCTAssertTrue(Tensor.maxAbsDiff(big, reference).isNaN, "a NaN before a large difference stays NaN")
        XCTAssertEqual(Tensor.maxAbsDiff(reference, reference), 0)
        XCTAssertEqual(Tensor.maxAbsDiff([1.0, 2.0] as [Double], [1.0, 2.5]), 0.5)
        XCTAssertEqual(Tensor.maxAbsDiff(reference, [0, 1]), .infinity, "different counts fail every tolerance")
        XCTAssertTrue(Tensor(shape: [2], data: [1, .nan]).maxAbs.isNaN)
        XCTAssertTrue(Float(1).nanAwareMax(.nan).nanAwareMax(5).isNaN, "a running maximum stays NaN")
        XCTAssertEqual(Float(1).nanAwareMax(5), 5)
    }
}

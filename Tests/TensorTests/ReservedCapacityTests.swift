// A tensor that reserves room beyond its elements (the UNet's upsampler reserves the next concatenation's hole,
// docs/memory.md): same elements and values, a larger buffer.
import XCTest
import Tensor

final class ReservedCapacityTests: XCTestCase {
    func testUpsampleWithReservedCapacityKeepsValues() {
        let x = attentionTestValues([2, 3, 5, 4], seed: 31, scale: 2)                     // [B, C, H, W]
        let plain = x.upsampleNearest(height: 10, width: 8)                                 // [2, 3, 10, 8]
        let reserved = x.upsampleNearest(height: 10, width: 8, capacity: 1000)
        let odd = x.upsampleNearest(height: 7, width: 9, capacity: 1000)                    // not the ×2 path
        let diff = reserved.maxAbsDiff(plain), diffOdd = odd.maxAbsDiff(x.upsampleNearest(height: 7, width: 9))
        print("upsample with reserved capacity: maxdiff \(diff) (×2), \(diffOdd) (7×9); count \(reserved.count), "
              + "capacity \(reserved.data.capacity)")
        XCTAssertEqual(reserved.shape, [2, 3, 10, 8])
        XCTAssertEqual(reserved.count, 480)
        XCTAssertGreaterThanOrEqual(reserved.data.capacity, 1000)
        XCTAssertEqual(diff, 0)
        XCTAssertEqual(diffOdd, 0)
        let small = Tensor(uninitialized: [4, 5], capacity: 3)                              // capacity below count
        XCTAssertEqual(small.count, 20)
        XCTAssertGreaterThanOrEqual(small.data.capacity, 20)
    }
}

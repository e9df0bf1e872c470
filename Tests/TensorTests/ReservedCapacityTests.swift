// A tensor with room beyond its elements grows in place when concatenated (the UNet's upsampler output and the
// next skip, docs/memory.md): same values as the allocating concatenation, whichever path runs.
import XCTest
import Tensor

final class ReservedCapacityTests: XCTestCase {
    private func check(b: Int, c1: Int, c2: Int, hw: Int, capacity: Int, shared: Bool, grows: Bool) {
        let a = attentionTestValues([b, c1, hw], seed: 31, scale: 2)                         // [B, C1, HW]
        let s = attentionTestValues([b, c2, hw], seed: 32, scale: 2)                         // [B, C2, HW]
        let expected = Tensor.concatChannels([a, s])                                         // [B, C1 + C2, HW]
        var first = Tensor(uninitialized: [b, c1, hw], capacity: capacity)
        first.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<a.count { p[i] = a.data[i] }
        }
        let keep = shared ? first : Tensor(zeros: [0])                                       // a second holder
        let base = first.data.withUnsafeBufferPointer { $0.baseAddress }
        let got = Tensor.concatChannels(consume first, s)
        let sameBuffer = got.data.withUnsafeBufferPointer { $0.baseAddress } == base
        let diff = got.maxAbsDiff(expected)
        print("concat in place b \(b) c \(c1)+\(c2) hw \(hw) capacity \(capacity) shared \(shared): maxdiff \(diff), "
              + "grew in its buffer \(sameBuffer)")
        XCTAssertEqual(got.shape, [b, c1 + c2, hw])
        XCTAssertEqual(diff, 0)
        XCTAssertEqual(sameBuffer, grows)
        if shared { XCTAssertEqual(keep.maxAbsDiff(a), 0, "the other holder's values are untouched") }
    }

    func testConcatGrowsInPlaceWithSameValues() {
        check(b: 3, c1: 5, c2: 2, hw: 7, capacity: 3 * 7 * 7, shared: false, grows: true)   // C2 < C1: overlap
        check(b: 2, c1: 2, c2: 6, hw: 9, capacity: 2 * 8 * 9 + 5, shared: false, grows: true)
        check(b: 2, c1: 4, c2: 3, hw: 5, capacity: 0, shared: false, grows: false)          // no room: allocates
        check(b: 2, c1: 4, c2: 3, hw: 5, capacity: 2 * 7 * 5, shared: true, grows: false)   // shared: copied
    }
}

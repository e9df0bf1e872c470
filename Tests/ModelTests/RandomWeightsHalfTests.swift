// RandomWeights drawn straight into half precision (the bench's f16 UNet) hold exactly the values the float32
// draw gives after rounding to half, key after key (the generator's sequence is shared).
import Models
import Tensor
import Weights
import XCTest

final class RandomWeightsHalfTests: XCTestCase {
    func testHalfDrawEqualsNarrowedFloatDraw() throws {
        let keys: [(String, [Int])] = [("a.weight", [40, 3, 3, 3]), ("b.norm1.weight", [9000]), ("c.weight", [7, 5000])]
        let half = RandomWeights(seed: 7), float = RandomWeights(seed: 7)
        var worst: Float = 0, compared = 0
        for (key, shape) in keys {
            half.declare(key, shape)
            float.declare(key, shape)
            let p = try half.parameter(key, residency: .f16)
            let reference = Parameter.narrowing(try float.tensor(key))
            XCTAssertTrue(p.isHalf, key)
            XCTAssertEqual(p.shape, shape, key)
            let d = p.tensor.maxAbsDiff(reference.tensor)
            worst = worst.nanAwareMax(d)
            compared += p.count
        }
        print("RandomWeights half draw vs narrowed float draw: \(compared) values, maxdiff \(worst)")
        XCTAssertEqual(worst, 0)
    }
}

// Upsample2D upsamples and convolves a large map one sample at a time (less memory at the UNet's peak): the
// values must be those of the whole-batch path, bit for bit, with float32 and half weights.
import XCTest
import Models
import Tensor
import Weights

final class Upsample2DPerSampleTests: XCTestCase {
    func testPerSampleEqualsWholeBatch() throws {
        for residency in [WeightResidency.f32, .f16] {
            // [2, 16, 16, 16] → [2, 16, 32, 32]: 256 tiles per sample, the Winograd path either way.
            var up = try Upsample2D(WeightLoader(RandomWeights(seed: 9), residency: residency), "up", channels: 16)
            var s: UInt64 = 3
            let x = Tensor(shape: [2, 16, 16, 16], data: (0..<(2 * 16 * 16 * 16)).map { _ in
                s = s &* 6364136223846793005 &+ 1442695040888963407
                return Float(s >> 40) / Float(1 << 24) * 2 - 1
            })                                                                      // [B, C, H, W]
            up.perSampleFloats = .max
            let whole = up(x)                                                       // [B, C, 2H, 2W]
            up.perSampleFloats = 0
            let perSample = up(x, reserve: 2 * 24 * 32 * 32)
            let d = perSample.maxAbsDiff(whole)
            print("Upsample2D per sample vs whole batch (\(residency) weights): maxdiff \(d) (scale \(whole.maxAbs)), "
                  + "capacity \(perSample.data.capacity)")
            XCTAssertEqual(perSample.shape, [2, 16, 32, 32])
            XCTAssertEqual(d, 0)
            XCTAssertGreaterThanOrEqual(perSample.data.capacity, 2 * 24 * 32 * 32)
        }
    }
}

// Upsample2D convolves the nearest ×2 upsampled map without materialising it (the Winograd input transform reads
// the small map): its values must be those of upsampling first and convolving after, bit for bit, with float32
// weights (transformed once and kept) and half ones, with room reserved for the next concatenation, and on an
// upsampler whose target size is not ×2 (diffusers' output_size), which upsamples first.
import XCTest
import Models
import Tensor
import Weights

final class Upsample2DInPlaceTests: XCTestCase {
    func testInPlaceEqualsUpsampleThenConv() throws {
        for residency in [WeightResidency.f32, .f16] {
            let up = try Upsample2D(WeightLoader(RandomWeights(seed: 9), residency: residency), "up", channels: 16)
            // [2, 16, 16, 16] → [2, 16, 32, 32] (512 tiles) and [2, 16, 4, 4] → 8×8 (32 tiles: still Winograd).
            for (hw, seed) in [(16, 3 as UInt64), (4, 5)] {
                let x = TestValues.uniform([2, 16, hw, hw], seed: seed)                        // [B, C, H, W]
                let materialised = up.conv(x.upsampleNearest(scale: 2))            // [B, C, 2H, 2W]
                let reserve = 2 * 24 * 4 * hw * hw
                let got = up(x, reserve: reserve)
                let d = got.maxAbsDiff(materialised)
                print("Upsample2D in place vs upsample + conv (\(residency) weights, \(x.shape)): maxdiff \(d) "
                      + "(scale \(materialised.maxAbs)), capacity \(got.data.capacity)")
                XCTAssertEqual(got.shape, [2, 16, 2 * hw, 2 * hw])
                XCTAssertEqual(d, 0)
                XCTAssertGreaterThan(materialised.maxAbs, 0.1)
                XCTAssertGreaterThanOrEqual(got.data.capacity, reserve)
            }
            // An output size that is not ×2 upsamples first: that path's values, any shape.
            let x = TestValues.uniform([2, 16, 5, 6], seed: 7)
            let other = up(x, size: (9, 12))
            let d = other.maxAbsDiff(up.conv(x.upsampleNearest(height: 9, width: 12)))
            print("Upsample2D to 9×12 (\(residency) weights): maxdiff \(d)")
            XCTAssertEqual(other.shape, [2, 16, 9, 12])
            XCTAssertEqual(d, 0)
        }
    }
}

// Half residency: the CKernels conversions against the scalar reference (every binary16 value), Swift's Float16
// rounding, and a .safetensors F16 tensor kept half that widens to exactly what loading it as float32 gives.
import Foundation
import Tensor
import Weights
import XCTest

final class HalfResidencyTests: XCTestCase {
    func testWideningEveryHalfMatchesTheScalarConversion() {
        let all = (0...0xffff).map { UInt16($0) }
        let half = all.withUnsafeBufferPointer { HalfBuffer(copying: UnsafeRawPointer($0.baseAddress!), count: all.count) }
        let p = Parameter(half: half, shape: [256, 256])
        let wide = p.tensor.data
        var worst: Float = 0, mismatches = 0
        for (i, h) in all.enumerated() {
            let ref = WeightDType.halfToFloat(h)
            if ref.isNaN { XCTAssertTrue(wide[i].isNaN, "0x\(String(h, radix: 16)) must stay NaN"); continue }
            if wide[i].bitPattern != ref.bitPattern { mismatches += 1 }
            if ref.isFinite { worst = worst.nanAwareMax(abs(wide[i] - ref)) }   // ±∞ checked by the bits above
        }
        print("HalfResidencyTests: widened 65536 halves (F16C \(HalfConversion.usesF16C)), maxdiff \(worst), "
              + "\(mismatches) bit mismatches")
        XCTAssertEqual(mismatches, 0)
        XCTAssertEqual(worst, 0)
    }

    func testNarrowingRoundsToNearestEvenLikeFloat16() {
        // Random bit patterns over the whole float range plus values near half's limits (subnormals, 65504).
        var s: UInt64 = 7
        var values: [Float] = [0, -0, 65504, 65519.99, 65520, -65520, 6.1e-5, 5.96e-8, 2.98e-8, 2.99e-8, .infinity]
        for i in 0..<200_003 {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            let bits = UInt32(truncatingIfNeeded: s >> 32)
            let f = Float(bitPattern: bits)
            values.append(i % 2 == 0 ? f : Float(bitPattern: (bits & 0x807f_ffff) | ((100 + (bits >> 24) % 45) << 23)))
        }
        values = values.filter { !$0.isNaN }
        let p = Parameter.narrowing(Tensor(shape: [values.count], data: values))
        XCTAssertTrue(p.isHalf)
        XCTAssertEqual(p.residentBytes, 2 * values.count)
        let got = p.tensor.data
        var mismatches = 0
        for (i, v) in values.enumerated() where got[i].bitPattern != Float(Float16(v)).bitPattern { mismatches += 1 }
        print("HalfResidencyTests: narrowed \(values.count) floats, \(mismatches) differ from Float16(x)")
        XCTAssertEqual(mismatches, 0)
    }

    func testSafetensorsHalfTensorStaysHalfAndWidensExactly() throws {
        let file = try SafetensorsFile(path: WeightsFixture.path("basic.safetensors"))
        let halfKeys = file.keys.filter { file.dtype($0) == .f16 && file.shape($0)!.reduce(1, *) > 0 }
        XCTAssertFalse(halfKeys.isEmpty, "basic.safetensors has F16 tensors")
        var worst: Float = 0
        for key in halfKeys {
            let loaded = try file.tensor(key)                          // widened at load (the float32 path)
            let kept = try file.parameter(key, residency: .auto)
            XCTAssertTrue(kept.isHalf, key)
            XCTAssertEqual(kept.shape, loaded.shape, key)
            XCTAssertEqual(kept.residentBytes, 2 * loaded.count, key)
            let d = WeightsFixture.maxdiff(kept.tensor.data, loaded.data)
            worst = worst.nanAwareMax(d)
            XCTAssertEqual(d, 0, key)
            XCTAssertFalse(try file.parameter(key, residency: .f32).isHalf, key)
        }
        let f32Key = try XCTUnwrap(file.keys.first { file.dtype($0) == .f32 && file.shape($0)!.reduce(1, *) > 0 })
        XCTAssertFalse(try file.parameter(f32Key, residency: .auto).isHalf, "F32 stays float32 under auto")
        XCTAssertTrue(try file.parameter(f32Key, residency: .f16).isHalf, "F32 is narrowed under f16")
        print("HalfResidencyTests: \(halfKeys.count) F16 tensor(s) kept half, maxdiff vs widened at load \(worst)")
    }

    func testKernelsGiveTheSameResultOnHalfAndWidenedWeights() {
        var s: UInt64 = 3
        func rand(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in
                s = s &* 6364136223846793005 &+ 1442695040888963407
                return Float(Float16(Float(s >> 40) / Float(1 << 24) - 0.5))
            })
        }
        let x = rand([2, 5, 9, 7]), w = rand([6, 5, 3, 3]), b = rand([6])
        let half = Parameter.narrowing(w)
        let conv = x.conv2d(weight: half, bias: b, stride: 1, padding: Padding2D(1))
        let convRef = x.conv2d(weight: w, bias: b, stride: 1, padding: Padding2D(1))
        let dc = conv.maxAbsDiff(convRef)
        let t = rand([3, 11, 40]), lw = rand([24, 40])
        let lin = t.linear(weight: Parameter.narrowing(lw))
        let dl = lin.maxAbsDiff(t.linear(weight: lw))
        let dv = half.widened { $0.tensor }.maxAbsDiff(w)
        print("HalfResidencyTests: conv2d maxdiff \(dc), linear maxdiff \(dl), widened view maxdiff \(dv)")
        XCTAssertEqual(dc, 0)
        XCTAssertEqual(dl, 0)
        XCTAssertEqual(dv, 0)
    }
}

// The tiny UNet with half-resident weights: identical output to the same values widened at load, and the
// precision cost of rounding a float32 file to half (`--weights-in-memory f16`) against diffusers.
import Foundation
import Models
import Tensor
import Weights
import XCTest

/// Every tensor of `base` rounded to binary16 values (then any residency holds exactly the same numbers).
struct HalfRoundedWeights: WeightSource {
    let base: WeightSource
    var keys: [String] { base.keys }
    func shape(_ key: String) -> [Int]? { base.shape(key) }
    func tensor(_ key: String) throws -> Tensor {
        let t = try base.tensor(key)
        return Tensor(shape: t.shape, data: t.data.map { Float(Float16($0)) })
    }
}

/// Writes `source`'s tensors as an F16 .safetensors file (values rounded to half, ties to even), as diffusers'
/// `variant="fp16"` files store them.
func writeHalfSafetensors(_ source: WeightSource, to url: URL) throws {
    var header: [String] = [], body = Data()
    for key in source.keys.sorted() {
        let t = try source.tensor(key)
        let begin = body.count
        for v in t.data { withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { body.append(contentsOf: $0) } }
        header.append("\"\(key)\":{\"dtype\":\"F16\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],"
                      + "\"data_offsets\":[\(begin),\(body.count)]}")
    }
    var json = Data(("{" + header.joined(separator: ",") + "}").utf8)
    while json.count % 8 != 0 { json.append(0x20) }
    var file = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
    file.append(json)
    file.append(body)
    try file.write(to: url)
}

final class HalfResidencyUNetTests: XCTestCase {
    func testFP16FileStaysHalfAndMatchesWideningAtLoad() throws {
        let dir = ModelFixtures.tinySD.appendingPathComponent("unet")
        let config = try UNetConfig.load(dir.appendingPathComponent("config.json"))
        let file = try SafetensorsFile(path: dir.appendingPathComponent("diffusion_pytorch_model.safetensors").path)
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ldmprobe-half-\(ProcessInfo.processInfo.processIdentifier).fp16.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try writeHalfSafetensors(file, to: url)
        let half16 = try SafetensorsFile(path: url.path)
        let kept = try UNet2DConditionModel(config: config, weights: half16)                  // auto: stays half
        let wide = try UNet2DConditionModel(config: config, weights: half16, residency: .f32)  // widened at load
        XCTAssertTrue(kept.convIn.weight.isHalf)
        XCTAssertFalse(wide.convIn.weight.isHalf)
        let io = try ModelFixtures.io("unet_io.safetensors")
        let x = try io.tensor("a.sample"), t = try io.tensor("a.timesteps").data
        let c = try io.tensor("a.encoder_hidden_states")
        let d = try kept(x, timesteps: t, encoderHiddenStates: c).maxAbsDiff(wide(x, timesteps: t, encoderHiddenStates: c))
        print("tiny unet from an F16 file, kept half vs widened at load: maxdiff \(d)")
        XCTAssertEqual(d, 0)
    }

    func testHalfResidencyEqualsWidenedAtLoad() throws {
        let dir = ModelFixtures.tinySD.appendingPathComponent("unet")
        let config = try UNetConfig.load(dir.appendingPathComponent("config.json"))
        let file = try SafetensorsFile(path: dir.appendingPathComponent("diffusion_pytorch_model.safetensors").path)
        let rounded = HalfRoundedWeights(base: file)
        let wide = try UNet2DConditionModel(config: config, weights: rounded, residency: .f32)
        let half = try UNet2DConditionModel(config: config, weights: rounded, residency: .f16)
        XCTAssertTrue(half.convIn.weight.isHalf)
        XCTAssertFalse(wide.convIn.weight.isHalf)
        let io = try ModelFixtures.io("unet_io.safetensors")
        let x = try io.tensor("a.sample"), t = try io.tensor("a.timesteps").data
        let c = try io.tensor("a.encoder_hidden_states")
        let a = try wide(x, timesteps: t, encoderHiddenStates: c), b = try half(x, timesteps: t, encoderHiddenStates: c)
        let d = a.maxAbsDiff(b)
        print("tiny unet, half residency vs the same values widened at load: maxdiff \(d)")
        XCTAssertEqual(d, 0)

        // Large half weights are widened in blocks of output rows (conv: blocks of channels, linear: of features);
        // a tiny block size sends every conv and linear of the tiny model through that path.
        let saved = Parameter.wideningBlockFloats, savedLinear = Tensor.linearBlockFloats
        Parameter.wideningBlockFloats = 1000
        Tensor.linearBlockFloats = 1000
        defer { Parameter.wideningBlockFloats = saved; Tensor.linearBlockFloats = savedLinear }
        XCTAssertLessThan(half.convIn.weight.rowsPerBlock, half.convIn.outChannels)
        let blocked = try half(x, timesteps: t, encoderHiddenStates: c)
        let db = a.maxAbsDiff(blocked)
        // Same values, but sgemm on blocks of rows may order a dot product's partial sums differently (OpenBLAS
        // picks its kernels by size): equal to rounding, not bit for bit.
        print("tiny unet, half weights widened in blocks of ≤ 1000 floats vs widened at load: maxdiff \(db) "
              + "(scale \(a.maxAbs))")
        XCTAssertLessThanOrEqual(db, 2e-6 * max(1, a.maxAbs))
        Parameter.wideningBlockFloats = saved
        Tensor.linearBlockFloats = savedLinear

        // The cost of rounding the float32 file to half, against diffusers' float32 output (a measurement:
        // the parity tests keep float32 residency).
        let narrowed = try UNet2DConditionModel(config: config, weights: file, residency: .f16)
        let ref = try io.tensor("a.out")
        let cost = try narrowed(x, timesteps: t, encoderHiddenStates: c).maxAbsDiff(ref)
        print("tiny unet, fp32 file held as f16 vs diffusers fp32: maxdiff \(cost) (scale \(ref.maxAbs))")
        XCTAssertTrue(cost.isFinite)
        XCTAssertLessThan(cost, 0.05 * max(1, ref.maxAbs))
    }
}

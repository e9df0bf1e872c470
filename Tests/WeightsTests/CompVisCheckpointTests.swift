// CompVisCheckpoint: a single-file SD v1 checkpoint in original LDM naming, converted to diffusers names, must
// reproduce the diffusers state dicts of tiny-sd tensor for tensor (the fixture is checked against diffusers'
// single_file_utils conversion when it is made; stored as F16, so the reference is tiny-sd rounded to F16).
// Also: diffusers model folders (variants, config paths).
import Foundation
import Tensor
import Weights
import XCTest

final class CompVisCheckpointTests: XCTestCase {
    private let tiny = WeightsFixture.fixtures.appendingPathComponent("tiny-sd").path

    private func compare(_ converted: WeightSource, _ reference: WeightSource, _ label: String) throws -> Float {
        XCTAssertEqual(Set(converted.keys), Set(reference.keys), "\(label): key sets differ: " +
            "\(Set(converted.keys).symmetricDifference(reference.keys).sorted().prefix(5))")
        var worst: Float = 0
        for key in reference.keys {
            let ref = try reference.tensor(key)
            XCTAssertEqual(converted.shape(key), ref.shape, "\(label) \(key)")
            let got = try converted.tensor(key)
            XCTAssertEqual(got.shape, ref.shape, "\(label) \(key)")
            let rounded = ref.data.map { Float(Float16($0)) }
            let d = WeightsFixture.maxdiff(got.data, rounded)
            worst = worst.nanAwareMax(d)
            XCTAssertEqual(d, 0, "\(label) \(key)")
        }
        return worst
    }

    func testSingleFileSafetensorsConvertsToDiffusersNames() throws {
        let ckpt = try CompVisCheckpoint(path: WeightsFixture.path("compvis_tiny.safetensors"))
        let folder = try DiffusersModelFolder(path: tiny)
        let u = try compare(ckpt.unet, folder.weights("unet"), "unet")
        let v = try compare(ckpt.vae, folder.weights("vae"), "vae")
        let t = try compare(ckpt.textEncoder, folder.weights("text_encoder"), "text_encoder")
        XCTAssertEqual(ckpt.ignoredKeys, ["betas"])
        print("CompVisCheckpointTests: unet \(ckpt.unet.keys.count) / vae \(ckpt.vae.keys.count) / text " +
              "\(ckpt.textEncoder.keys.count) tensors, maxdiff \(max(u, v, t))")
    }

    func testCkptVAEConvertsWithAttentionReshape() throws {
        let source = try TorchCheckpoint(path: WeightsFixture.path("compvis_tiny_vae.ckpt"))
        let map = try CompVisKeyConversion.convert(keys: source.keys, shape: source.shape)
        let vae = ConvertedWeightSource(source: source, map: map[.vae]!)
        XCTAssertEqual(source.shape("first_stage_model.decoder.mid.attn_1.q.weight")?.count, 4)
        XCTAssertEqual(vae.shape("decoder.mid_block.attentions.0.to_q.weight")?.count, 2)
        _ = try compare(vae, DiffusersModelFolder(path: tiny).weights("vae"), "vae.ckpt")
    }

    func testUnmappedModelKeyIsAnError() {
        XCTAssertThrowsError(try CompVisKeyConversion.convert(
            keys: ["model.diffusion_model.input_blocks.1.0.in_layers.0.weight", "model.diffusion_model.mystery.weight"],
            shape: { _ in [1] })) { error in
            XCTAssertEqual(error as? WeightSourceError, .unexpectedKeys(["model.diffusion_model.mystery.weight"]))
        }
    }

    func testDiffusersFolderPicksVariants() throws {
        let folder = try DiffusersModelFolder(path: tiny)
        XCTAssertEqual(try folder.weightsURL("vae").lastPathComponent, "diffusion_pytorch_model.safetensors")
        XCTAssertEqual(try folder.weightsURL("vae", variant: .fp16).lastPathComponent,
                       "diffusion_pytorch_model.fp16.safetensors")
        // unet has no fp16 file: the fp16 request falls back to fp32.
        XCTAssertEqual(try folder.weightsURL("unet", variant: .fp16).lastPathComponent,
                       "diffusion_pytorch_model.safetensors")
        XCTAssertEqual(try folder.weightsURL("text_encoder").lastPathComponent, "model.safetensors")
        XCTAssertEqual(try folder.configURL("scheduler").lastPathComponent, "scheduler_config.json")
        XCTAssertThrowsError(try folder.component("safety_checker")) { error in
            XCTAssertTrue("\(error)".contains("safety_checker"))
        }
        XCTAssertThrowsError(try DiffusersModelFolder(path: "/nonexistent")) { error in
            XCTAssertTrue("\(error)".contains("model_index.json"))
        }
    }
}

// The VAE port against diffusers' AutoencoderKL on the tiny model (tools/make_model_fixtures.py).
import XCTest
import Foundation
import Tensor
import Weights
import Models

final class VAETests: XCTestCase {
    static func load(variant: String = "", decoderOnly: Bool = false) throws -> AutoencoderKL {
        let dir = ModelFixtures.tinySD.appendingPathComponent("vae")
        let config = try VAEConfig.load(dir.appendingPathComponent("config.json"))
        let weights = try SafetensorsFile(path: dir.appendingPathComponent("diffusion_pytorch_model\(variant).safetensors").path)
        return try AutoencoderKL(config: config, weights: weights, decoderOnly: decoderOnly)
    }

    func testDecodeMatchesDiffusers() throws {
        let vae = try Self.load()
        let io = try ModelFixtures.io("vae_io.safetensors")
        let image = try vae.decode(try io.tensor("decode.latents"))
        ModelFixtures.compare("vae decode (1×4×8×8 → 1×3×64×64)", image, try io.tensor("decode.image"))
        let decOnly = try Self.load(decoderOnly: true)
        XCTAssertEqual(try decOnly.decode(try io.tensor("decode.latents")).data, image.data)
    }

    func testEncodeMatchesDiffusers() throws {
        let vae = try Self.load()
        let io = try ModelFixtures.io("vae_io.safetensors")
        let (mean, logvar) = try vae.encode(try io.tensor("encode.image"))
        ModelFixtures.compare("vae encode mean", mean, try io.tensor("encode.mean"))
        ModelFixtures.compare("vae encode logvar", logvar, try io.tensor("encode.logvar"))
    }

    func testFP16VariantDecodes() throws {
        // fp16 weights (converted to float32 on load) decode close to the fp32 reference.
        let vae = try Self.load(variant: ".fp16")
        let io = try ModelFixtures.io("vae_io.safetensors")
        ModelFixtures.compare("vae decode with fp16 weights", try vae.decode(try io.tensor("decode.latents")),
                              try io.tensor("decode.image"), tol: 2e-2)
    }
}

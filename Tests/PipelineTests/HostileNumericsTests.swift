// Non-finite values inside generation (issue 14): a UNet that overflows and a VAE that returns NaN stop the image
// with an error naming it, the call and the likely cause — before the sampler or the PNG encoder sees them.
import FileFormats
import Foundation
import Models
import Pipeline
import PluginHost
import Tensor
import XCTest

/// A UNet whose prediction overflows to +inf from call `badCall` on (as --guidance 1e308 once did).
private final class OverflowingUNet: NoisePredictor {
    let badCall: Int
    var calls = 0
    init(badCall: Int) { self.badCall = badCall }
    var latentChannels: Int { 4 }
    func attach(_ tap: ActivationTap?) {}
    func capturePoints(latentHeight h: Int, latentWidth w: Int) -> [CapturePoint] { [] }
    func predictNoise(_ sample: Tensor, timestep: Float, context: Tensor) throws -> Tensor {
        defer { calls += 1 }
        return Tensor(shape: sample.shape, data: sample.data.map { calls >= badCall ? $0 * .infinity + 1 : 0.1 * $0 })
    }
}

/// A VAE decoder returning NaN everywhere.
private final class NaNDecoder: LatentDecoder {
    func decode(_ latents: Tensor) throws -> Tensor {
        Tensor(shape: [1, 3, latents.shape[2] * 8, latents.shape[3] * 8],
               data: [Float](repeating: .nan, count: 3 * 64 * latents.shape[2] * latents.shape[3]))
    }
}

final class HostileNumericsTests: XCTestCase {
    private func pipeline(unet: NoisePredictor, decoder: LatentDecoder) throws -> DiffusionPipeline {
        try DiffusionPipeline(textEncoder: MockTextEncoder(), unet: unet, decoder: decoder, scalingFactor: 0.18215,
                              sampler: try Plugins.sampler("ddim"), schedulerConfigJSON: nil,
                              settings: GenerationSettings(steps: 3, guidance: 7.5, height: 16, width: 16))
    }

    func testOverflowingPredictionStopsAtItsCall() throws {
        let p = try pipeline(unet: OverflowingUNet(badCall: 1), decoder: MockDecoder())
        assertOneLineError("image prompt_0_seed_3: the guided noise prediction of call 1 holds NaN or infinity") {
            try p.generate(.single(prompt: "p", seed: 3))
        }
    }

    func testNaNDecodedImageIsRefusedBeforeThePNG() throws {
        let p = try pipeline(unet: OverflowingUNet(badCall: 99), decoder: NaNDecoder())
        assertOneLineError("image prompt_0_seed_4: the decoded image holds NaN or infinity") {
            try p.generate(.single(prompt: "p", seed: 4))
        }
        // The PNG conversion itself no longer traps on NaN either.
        let y = Tensor(shape: [1, 3, 1, 2], data: [.nan, 1, -1, .infinity, 0, -.infinity])
        XCTAssertEqual(DiffusionPipeline.image(fromDecoded: y).bytes, [0, 0, 128, 255, 255, 0])
    }
}

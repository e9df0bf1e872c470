// The UNet port against diffusers on the tiny SD-v1-topology model (Tests/Fixtures/tiny-sd, Tests/Fixtures/models,
// made by tools/tiny_sd.py and tools/make_model_fixtures.py).
import XCTest
import Foundation
import Tensor
import Weights
import Models

/// Fixture folder helpers shared by the UNet and VAE tests.
enum ModelFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static var tinySD: URL { root.appendingPathComponent("tiny-sd") }
    static func io(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(path: root.appendingPathComponent("models/\(name)").path)
    }
    /// |a − b|∞ / max(1, |b|∞), printed with the label.
    @discardableResult
    static func compare(_ label: String, _ got: Tensor, _ ref: Tensor, tol: Float = 1e-4,
                        file: StaticString = #filePath, line: UInt = #line) -> Float {
        XCTAssertEqual(got.shape, ref.shape, "\(label): shape", file: file, line: line)
        guard got.shape == ref.shape else { return .infinity }
        let d = got.maxAbsDiff(ref), scale = max(1, ref.maxAbs)
        print("\(label): maxdiff \(d) (scale \(ref.maxAbs))")
        XCTAssertLessThanOrEqual(d, tol * scale, label, file: file, line: line)
        return d
    }
}

/// Records every activation it is handed.
final class RecordingTap: ActivationTap {
    let filter: (String) -> Bool
    var seen: [String: Tensor] = [:]
    var order: [String] = []
    init(_ filter: @escaping (String) -> Bool = { _ in true }) { self.filter = filter }
    func wants(_ path: String) -> Bool { filter(path) }
    func visit(_ path: String, _ activation: inout Tensor) { seen[path] = activation; order.append(path) }
}

/// Zeroes the activation at one path (an intervention).
final class ZeroTap: ActivationTap {
    let path: String
    init(_ path: String) { self.path = path }
    func wants(_ p: String) -> Bool { p == path }
    func visit(_ p: String, _ activation: inout Tensor) {
        activation = Tensor(zeros: activation.shape)
    }
}

final class UNetTests: XCTestCase {
    static func loadUNet() throws -> UNet2DConditionModel {
        let dir = ModelFixtures.tinySD.appendingPathComponent("unet")
        let config = try UNetConfig.load(dir.appendingPathComponent("config.json"))
        let weights = try SafetensorsFile(path: dir.appendingPathComponent("diffusion_pytorch_model.safetensors").path)
        return try UNet2DConditionModel(config: config, weights: weights)
    }

    func testConfig() throws {
        let config = try UNetConfig.load(ModelFixtures.tinySD.appendingPathComponent("unet/config.json"))
        XCTAssertEqual(config.blockOutChannels, [32, 32, 32, 32])
        XCTAssertEqual(config.layersPerBlock, 2)
        XCTAssertEqual(config.heads(0), 8)
        XCTAssertEqual(config.crossAttentionDim, 16)
        XCTAssertEqual(UNetConfig.sdV14.blockOutChannels, [320, 640, 1280, 1280])
    }

    func testForwardAndTapsMatchDiffusers() throws {
        let unet = try Self.loadUNet()
        let io = try ModelFixtures.io("unet_io.safetensors")
        let tap = RecordingTap()
        unet.attach(tap)
        let out = try unet(try io.tensor("a.sample"), timesteps: try io.tensor("a.timesteps").data,
                           encoderHiddenStates: try io.tensor("a.encoder_hidden_states"))
        ModelFixtures.compare("unet a (2×4×8×8, t=501) out", out, try io.tensor("a.out"))
        let tapKeys = io.keys.filter { $0.hasPrefix("a.tap.") }.sorted()
        XCTAssertEqual(tapKeys.filter { $0.hasSuffix(".attn1") }.count, 16, "16 self-attention layers as in SD v1")
        var worst: Float = 0
        for key in tapKeys {
            let path = String(key.dropFirst("a.tap.".count))
            guard let got = tap.seen[path] else { XCTFail("no activation captured at \(path)"); continue }
            worst = worst.nanAwareMax(ModelFixtures.compare("tap \(path)", got, try io.tensor(key)))
        }
        print("unet taps: worst maxdiff \(worst) over \(tapKeys.count) capture points")

        // Every captured shape is the one layerPaths announces, in execution order.
        let paths = unet.layerPaths(latentHeight: 8, latentWidth: 8, batch: 2)
        XCTAssertEqual(paths.map(\.path), tap.order)
        for (p, shape) in paths { XCTAssertEqual(tap.seen[p]?.shape, shape, p) }
        XCTAssertEqual(paths.filter { $0.path.hasSuffix("attn1") }.count, 16)
    }

    func testOddLatentSize() throws {
        let unet = try Self.loadUNet()
        let io = try ModelFixtures.io("unet_io.safetensors")
        let out = try unet(try io.tensor("b.sample"), timesteps: try io.tensor("b.timesteps").data,
                           encoderHiddenStates: try io.tensor("b.encoder_hidden_states"))
        ModelFixtures.compare("unet b (1×4×10×6, t=37.5) out", out, try io.tensor("b.out"))
    }

    func testInterventionChangesOutput() throws {
        let unet = try Self.loadUNet()
        let io = try ModelFixtures.io("unet_io.safetensors")
        let x = try io.tensor("b.sample"), c = try io.tensor("b.encoder_hidden_states")
        let ref = try io.tensor("b.out")
        unet.attach(RecordingTap { _ in false })
        XCTAssertEqual(try unet(x, timesteps: [37.5], encoderHiddenStates: c).maxAbsDiff(ref), 0, accuracy: 1e-4)
        unet.attach(ZeroTap("up_blocks.3.attentions.2.transformer_blocks.0.attn1"))
        let edited = try unet(x, timesteps: [37.5], encoderHiddenStates: c)
        XCTAssertGreaterThan(edited.maxAbsDiff(ref), 1e-3, "zeroing a self-attention output must change ε̂")
        unet.attach(nil)
    }

    func testLoaderNamesBadKeys() throws {
        let dir = ModelFixtures.tinySD.appendingPathComponent("unet")
        let config = try UNetConfig.load(dir.appendingPathComponent("config.json"))
        let file = try SafetensorsFile(path: dir.appendingPathComponent("diffusion_pytorch_model.safetensors").path)
        var all: [String: Tensor] = [:]
        for k in file.keys { all[k] = try file.tensor(k) }

        var missing = all
        missing["mid_block.attentions.0.proj_in.weight"] = nil
        XCTAssertThrowsError(try UNet2DConditionModel(config: config, weights: DictionaryWeights(missing))) {
            XCTAssertTrue("\($0)".contains("mid_block.attentions.0.proj_in.weight"), "\($0)")
        }
        var extra = all
        extra["up_blocks.9.bogus.weight"] = Tensor(zeros: [1])
        XCTAssertThrowsError(try UNet2DConditionModel(config: config, weights: DictionaryWeights(extra))) {
            XCTAssertTrue("\($0)".contains("up_blocks.9.bogus.weight"), "\($0)")
        }
        var wrong = all
        wrong["conv_in.weight"] = Tensor(zeros: [32, 4, 1, 1])
        XCTAssertThrowsError(try UNet2DConditionModel(config: config, weights: DictionaryWeights(wrong))) {
            XCTAssertTrue("\($0)".contains("conv_in.weight"), "\($0)")
        }
    }

    func testSDV14LayerPaths() {
        // SD v1 at 512×512 (latent 64): 16 self-attention layers with the shapes PROTOCOL.md lists.
        let paths = UNet2DConditionModel.layerPaths(config: .sdV14, latentHeight: 64, latentWidth: 64, batch: 2)
        let attn1 = paths.filter { $0.path.hasSuffix(".attn1") }
        XCTAssertEqual(attn1.count, 16)
        XCTAssertEqual(attn1.first?.path, "down_blocks.0.attentions.0.transformer_blocks.0.attn1")
        XCTAssertEqual(attn1.first?.shape, [2, 4096, 320])
        XCTAssertEqual(attn1.first { $0.path.hasPrefix("mid_block") }?.shape, [2, 64, 1280])
        XCTAssertEqual(attn1.last?.path, "up_blocks.3.attentions.2.transformer_blocks.0.attn1")
        XCTAssertEqual(attn1.last?.shape, [2, 4096, 320])
        XCTAssertEqual(attn1.filter { $0.path.hasPrefix("up_blocks.1") }.map { $0.shape[1] }, [256, 256, 256])
    }
}

// World: the demo estimators and object classifier in Swift match their PyTorch twins (tools/demo/common.py) on
// rendered scenes (fixture: tools/demo/make_world_fixtures.py; weights: Assets/demo/estimators/).
import XCTest
import Foundation
import Tensor
import Weights
import World

final class DemoNetTests: XCTestCase {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let fixture = tests.appendingPathComponent("Fixtures/world/nets.safetensors").path

    func weights(_ name: String) throws -> String {
        try DemoAssets.resolve("estimators/\(name).safetensors", explicit: "", from: #filePath)
    }

    /// The fixture's images as the nets' input [4, 3, 64, 64], built the way the plugins build it.
    func inputs(_ f: SafetensorsFile) throws -> [Tensor] {
        let images = try f.tensor("images")                                      // [4, 64, 64, 3] byte values
        let n = images.shape[0], h = images.shape[1], w = images.shape[2]
        return (0..<n).map { i in
            let bytes = images.data[(i * h * w * 3)..<((i + 1) * h * w * 3)].map { UInt8($0) }
            return bytes.withUnsafeBufferPointer { DemoImage.input($0, height: h, width: w, size: 64) }
        }
    }

    func compare(_ name: String, _ got: [Tensor], _ want: Tensor, tolerance: Float) {
        let per = want.count / want.shape[0]
        var maxdiff: Float = 0, scale: Float = 0
        for (i, g) in got.enumerated() {
            for j in 0..<per {
                maxdiff = maxdiff.nanAwareMax(abs(g.data[j] - want.data[i * per + j]))
                scale = scale.nanAwareMax(abs(want.data[i * per + j]))
            }
        }
        print("world \(name): maxdiff \(maxdiff) (max |value| \(scale))")
        XCTAssertLessThan(maxdiff, tolerance * max(1, scale), name)
    }

    func testEstimatorsMatchPyTorch() throws {
        let f = try SafetensorsFile(path: Self.fixture)
        let x = try inputs(f)
        for (name, key, channels) in [("world-foreground", "foreground_logits", 2), ("world-depth", "depth", 1),
                                      ("world-shading", "shading", 1)] {
            let net = try WorldEstimatorNet(path: try weights(name), outChannels: channels)
            compare(name, x.map { net.forward($0) }, try f.tensor(key), tolerance: 1e-4)
        }
    }

    func testObjectClassifierMatchesPyTorch() throws {
        let f = try SafetensorsFile(path: Self.fixture)
        let net = try WorldObjectClassifier(path: try weights("world-objects"))
        XCTAssertEqual(net.classCount, ObjectKind.allCases.count)
        compare("world-objects", try inputs(f).map { net.logits($0) }, try f.tensor("objects_logits"), tolerance: 1e-4)
    }

    /// A weights file with a missing key fails loudly, naming the key.
    func testBadWeightsFail() throws {
        XCTAssertThrowsError(try WorldEstimatorNet(path: try weights("world-objects"), outChannels: 1)) { e in
            XCTAssertTrue("\(e)".contains("world-objects.safetensors"), "\(e)")
        }
        XCTAssertThrowsError(try WorldObjectClassifier(path: "/nonexistent/x.safetensors"))
    }

    /// The demo folder is found upwards from a path inside the checkout, and the model folder has SD's layout.
    func testDemoAssetsLayout() throws {
        let folder = try XCTUnwrap(DemoAssets.folder(from: #filePath, containing: "model/model_index.json"))
        for part in ["model/unet/config.json", "model/unet/diffusion_pytorch_model.safetensors",
                     "model/vae/config.json", "model/vae/diffusion_pytorch_model.safetensors",
                     "model/text_encoder/config.json", "model/text_encoder/model.safetensors",
                     "model/tokenizer/vocab.json", "model/tokenizer/merges.txt",
                     "model/scheduler/scheduler_config.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/" + part), part)
        }
    }
}

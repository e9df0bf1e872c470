// CLIPTextModel against transformers' CLIPTextModel.last_hidden_state (tools/make_clip_fixtures.py):
// tiny-sd's quick_gelu text encoder on real CLIP token ids, and a random gelu model stored as F16 safetensors.
// Tolerance: 1e-4 relative to the reference's largest magnitude; maxdiff printed.
import FileFormats
import Foundation
import Models
import Tensor
import Weights
import XCTest

final class CLIPTextModelTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    private struct IDs: Decodable { var ids: [[Int]] }

    private func check(folder: URL, ids idsFile: String, reference: String, label: String) throws {
        let ids = try JSONDecoder().decode(IDs.self,
            from: Data(contentsOf: Self.fixtures.appendingPathComponent("clip/" + idsFile))).ids
        let weights = try WeightFiles.open(folder.appendingPathComponent("model.safetensors").path)
        let model = try CLIPTextModel(folder: folder, weights: weights)
        let out = try model(ids)                                                      // [B, 77, D]
        let (shape, ref) = try NpyArray.readFloats(Self.fixtures.appendingPathComponent("clip/" + reference))
        XCTAssertEqual(out.shape, shape)
        let maxdiff = Tensor.maxAbsDiff(out.data, ref)
        let scale = ref.reduce(Float(0)) { $0.nanAwareMax(abs($1)) }
        print("CLIPTextModelTests \(label): [\(shape.map(String.init).joined(separator: ", "))] maxdiff \(maxdiff), " +
              "max |ref| \(scale), relative \(maxdiff / scale)")
        XCTAssertLessThan(maxdiff / scale, 1e-4)
    }

    func testTinySDQuickGeluMatchesTransformers() throws {
        try check(folder: Self.fixtures.appendingPathComponent("tiny-sd/text_encoder"), ids: "ids.json",
                  reference: "tiny_sd_last_hidden_state.npy", label: "tiny-sd (quick_gelu)")
    }

    func testTransformers4KeyNamesLoadToo() throws {
        // SD v1.4's text_encoder/model.safetensors names keys "text_model.…" (transformers 4); v5 saves them bare.
        let folder = Self.fixtures.appendingPathComponent("clip/gelu")
        let config = try CLIPTextConfig.load(folder.appendingPathComponent("config.json"))
        let bare = try WeightFiles.open(folder.appendingPathComponent("model.safetensors").path)
        let ids = [[Int](0..<77)]
        let a = try CLIPTextModel(config: config, weights: bare)(ids)
        let b = try CLIPTextModel(config: config, weights: Prefixed(base: bare))(ids)
        XCTAssertEqual(a.data, b.data)
    }

    func testGeluF16ModelMatchesTransformers() throws {
        try check(folder: Self.fixtures.appendingPathComponent("clip/gelu"), ids: "gelu_ids.json",
                  reference: "gelu_last_hidden_state.npy", label: "gelu (F16 weights)")
    }

    func testMissingKeyWrongShapeAndUnexpectedKeyFailLoudly() throws {
        let folder = Self.fixtures.appendingPathComponent("clip/gelu")
        let config = try CLIPTextConfig.load(folder.appendingPathComponent("config.json"))
        let real = try WeightFiles.open(folder.appendingPathComponent("model.safetensors").path)
        let dropped = "encoder.layers.1.mlp.fc2.bias"
        XCTAssertThrowsError(try CLIPTextModel(config: config, weights: Edited(base: real, drop: dropped))) { error in
            XCTAssertEqual(error as? WeightSourceError, .missingKey(dropped))
        }
        var wide = config
        wide.intermediateSize = 65
        XCTAssertThrowsError(try CLIPTextModel(config: wide, weights: real)) { error in
            XCTAssertTrue("\(error)".contains("encoder.layers.0.mlp.fc1.weight"), "\(error)")
        }
        var shallow = config
        shallow.numHiddenLayers = 1
        XCTAssertThrowsError(try CLIPTextModel(config: shallow, weights: real)) { error in
            guard case .unexpectedKeys(let keys)? = error as? WeightSourceError else { return XCTFail("\(error)") }
            XCTAssertTrue(keys.allSatisfy { $0.hasPrefix("encoder.layers.1.") })
        }
        let model = try CLIPTextModel(config: config, weights: real)
        XCTAssertThrowsError(try model([[1000]]))   // outside the vocabulary: an error, not a crash
    }

    /// The same tensors under "text_model." names.
    private struct Prefixed: WeightSource {
        let base: WeightSource
        var keys: [String] { base.keys.map { "text_model." + $0 } }
        func shape(_ key: String) -> [Int]? { base.shape(String(key.dropFirst("text_model.".count))) }
        func tensor(_ key: String) throws -> Tensor { try base.tensor(String(key.dropFirst("text_model.".count))) }
    }

    /// A source with one key removed.
    private struct Edited: WeightSource {
        let base: WeightSource
        let drop: String
        var keys: [String] { base.keys.filter { $0 != drop } }
        func shape(_ key: String) -> [Int]? { key == drop ? nil : base.shape(key) }
        func tensor(_ key: String) throws -> Tensor {
            guard key != drop else { throw WeightSourceError.missingKey(key) }
            return try base.tensor(key)
        }
    }
}

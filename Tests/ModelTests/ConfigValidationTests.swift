// Hostile model configs (issue 14): every field the layers are built from is range-checked when config.json is
// loaded, with a one-line error naming the file, the key and the valid range — never a trap in the model code.
import Foundation
import Models
import XCTest

final class ConfigValidationTests: XCTestCase {
    /// Writes `part`/config.json of the tiny model with `edit` applied; returns its URL.
    private func config(_ part: String, _ edit: (inout [String: Any]) -> Void) throws -> URL {
        let source = ModelFixtures.tinySD.appendingPathComponent("\(part)/config.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: source)) as! [String: Any]
        edit(&object)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)/\(part)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let url = dir.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        return url
    }

    private func assertRefused(_ part: String, _ key: String, _ value: Any, _ load: (URL) throws -> Void) throws {
        let url = try config(part) { $0[key] = value }
        do {
            try load(url)
            XCTFail("\(part) \(key) = \(value) accepted")
        } catch {
            let message = "\(error)"
            print("  \(part) \(key) = \(value): \(message)")
            XCTAssertFalse(message.contains("\n"), message)
            XCTAssertTrue(message.contains(url.path), message)
            XCTAssertTrue(message.contains(key), message)
        }
    }

    func testTinyConfigsStillLoad() throws {
        for part in ["unet", "vae", "text_encoder"] {
            let url = ModelFixtures.tinySD.appendingPathComponent("\(part)/config.json")
            switch part {
            case "unet": _ = try UNetConfig.load(url)
            case "vae": _ = try VAEConfig.load(url)
            default: _ = try CLIPTextConfig.load(url)
            }
        }
    }

    func testUNetFieldsAreRangeChecked() throws {
        let load: (URL) throws -> Void = { _ = try UNetConfig.load($0) }
        let cases: [(String, Any)] = [
            ("norm_num_groups", 0), ("norm_num_groups", -4), ("norm_eps", -1000), ("norm_eps", 0),
            ("attention_head_dim", [Int]()), ("attention_head_dim", 0), ("attention_head_dim", 7),
            ("layers_per_block", -1), ("downsample_padding", -1), ("in_channels", 0), ("cross_attention_dim", -768),
            ("sample_size", 0), ("freq_shift", 1_000_000), ("transformer_layers_per_block", [Int]()),
            ("num_attention_heads", [3, 3]), ("block_out_channels", [33, 64]),
        ]
        for (key, value) in cases { try assertRefused("unet", key, value, load) }
        print("UNet config: \(cases.count) hostile values refused")
    }

    func testVAEFieldsAreRangeChecked() throws {
        let load: (URL) throws -> Void = { _ = try VAEConfig.load($0) }
        let cases: [(String, Any)] = [("norm_num_groups", 0), ("layers_per_block", -1), ("latent_channels", 0),
                                      ("scaling_factor", 0), ("scaling_factor", -1), ("in_channels", -3)]
        for (key, value) in cases { try assertRefused("vae", key, value, load) }
    }

    func testTextEncoderFieldsAreRangeChecked() throws {
        let load: (URL) throws -> Void = { _ = try CLIPTextConfig.load($0) }
        let cases: [(String, Any)] = [("num_hidden_layers", -1), ("num_attention_heads", 0), ("num_attention_heads", 5),
                                      ("hidden_size", -8), ("layer_norm_eps", -1), ("max_position_embeddings", 0),
                                      ("vocab_size", 0), ("intermediate_size", -1)]
        for (key, value) in cases { try assertRefused("text_encoder", key, value, load) }
    }
}

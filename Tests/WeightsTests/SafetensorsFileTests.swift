// SafetensorsFile: values of every dtype against safetensors/torch, and one-line errors for corrupt files.
import Foundation
import Tensor
import Weights
import XCTest

final class SafetensorsFileTests: XCTestCase {
    func testEveryDTypeMatchesTorch() throws {
        let file = try SafetensorsFile(path: WeightsFixture.path("basic.safetensors"))
        let expected = try WeightsFixture.expected("basic.safetensors")
        XCTAssertEqual(Set(file.keys), Set(expected.keys))
        XCTAssertEqual(file.metadata["format"], "pt")
        XCTAssertEqual(file.dtype("bf16"), .bf16)
        var worst: Float = 0
        for (key, e) in expected {
            let t = try file.tensor(key)
            XCTAssertEqual(t.shape, e.shape, key)
            XCTAssertEqual(file.shape(key), e.shape, key)
            let d = WeightsFixture.maxdiff(t.data, e.values)
            worst = worst.nanAwareMax(d)
            XCTAssertEqual(d, 0, "\(key): maxdiff \(d)")  // F16/BF16/F64→F32 conversions are exact or correctly rounded
        }
        print("SafetensorsFileTests: \(expected.count) tensors (F32 F16 BF16 F64 I64, empty, scalar), maxdiff \(worst)")
    }

    func testHalfConversionEdgeCases() {
        XCTAssertEqual(WeightDType.halfToFloat(0x3c00), 1)
        XCTAssertEqual(WeightDType.halfToFloat(0xc000), -2)
        XCTAssertEqual(WeightDType.halfToFloat(0x0001), Float(bitPattern: 0x3380_0000))  // smallest subnormal 2⁻²⁴
        XCTAssertEqual(WeightDType.halfToFloat(0x7bff), 65504)
        XCTAssertEqual(WeightDType.halfToFloat(0x7c00), .infinity)
        XCTAssertTrue(WeightDType.halfToFloat(0x7e00).isNaN)
        XCTAssertEqual(WeightDType.halfToFloat(0x8000).sign, .minus)
    }

    /// Each corrupt file fails on open with one line naming the file (and the tensor where there is one).
    func testCorruptFilesFailWithOneLineNamingFileAndTensor() {
        let cases: [(String, String?, String)] = [
            ("truncated.safetensors", nil, "outside the data section"),  // last 10 bytes cut
            ("short.safetensors", nil, "too short"),
            ("header_too_long.safetensors", nil, "header length"),
            ("outside.safetensors", "b", "outside the data section"),
            ("overlap.safetensors", "b", "overlap"),
            ("wrong_size.safetensors", "a", "do not hold shape"),
            ("bad_dtype.safetensors", "a", "F8_E4M3"),
            ("not_json.safetensors", nil, "JSON"),
        ]
        for (name, tensor, phrase) in cases {
            let path = WeightsFixture.path(name)
            XCTAssertThrowsError(try SafetensorsFile(path: path), name) { error in
                let message = "\(error)"
                print("  \(name): \(message)")
                XCTAssertFalse(message.contains("\n"), "\(name): multi-line message")
                XCTAssertTrue(message.contains(path), "\(name): message does not name the file: \(message)")
                if let tensor { XCTAssertTrue(message.contains("'\(tensor)'"), "\(name): no tensor name: \(message)") }
                XCTAssertTrue(message.contains(phrase), "\(name): expected '\(phrase)' in: \(message)")
            }
        }
    }

    func testTruncatedFileNamesTheTensorPastTheEnd() {
        // The last 10 bytes are gone: the last tensor's offsets now reach past the data section.
        XCTAssertThrowsError(try SafetensorsFile(path: WeightsFixture.path("truncated.safetensors"))) { error in
            XCTAssertTrue("\(error)".contains("outside the data section"), "\(error)")
        }
    }

    func testMissingFileAndMissingKey() throws {
        XCTAssertThrowsError(try SafetensorsFile(path: "/nonexistent/x.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/x.safetensors"))
        }
        let file = try SafetensorsFile(path: WeightsFixture.path("basic.safetensors"))
        XCTAssertThrowsError(try file.tensor("nope")) { error in
            XCTAssertEqual(error as? WeightSourceError, .missingKey("nope"))
        }
    }

    func testShardedIndex() throws {
        let source = try WeightFiles.open(WeightsFixture.path("sharded/diffusion_pytorch_model.safetensors.index.json"))
        let expected = try WeightsFixture.expected("sharded")
        XCTAssertEqual(Set(source.keys), Set(expected.keys))
        for (key, e) in expected {
            let t = try source.tensor(key)
            XCTAssertEqual(t.shape, e.shape)
            XCTAssertEqual(WeightsFixture.maxdiff(t.data, e.values), 0, key)
        }
    }
}

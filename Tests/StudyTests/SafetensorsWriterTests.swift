// FileFormats.SafetensorsWriter (probe weights, converted classifier weights) read back with Weights'
// SafetensorsFile: values, shapes, metadata, and the atomic write (no partial or temporary file is ever left).
import FileFormats
import Foundation
import Tensor
import Weights
import XCTest

final class SafetensorsWriterTests: XCTestCase {
    func testWritesWhatSafetensorsFileReadsBack() throws {
        let dir = try StudyFixtures.temporaryFolder("safetensors")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("probes/depth.safetensors")  // the folder does not exist yet
        let tensors: [String: (shape: [Int], values: [Float])] = [
            "weight": ([2, 3, 1, 1], [1, -2, 3.5, .leastNonzeroMagnitude, -0.0, 1e30]),
            "bias": ([2], [0.25, -7]),
            "scalar": ([], [42]),
            "empty": ([0, 4], []),
        ]
        let metadata = ["probe": "linear:fit=lstsq", "property": "depth \"quoted\"\nline", "ünï": "cödé"]
        try SafetensorsWriter.write(tensors, metadata: metadata, to: url)

        let file = try SafetensorsFile(path: url.path)
        XCTAssertEqual(Set(file.keys), Set(tensors.keys))
        XCTAssertEqual(file.metadata, metadata)
        var worst: Float = 0
        for (name, t) in tensors {
            XCTAssertEqual(file.shape(name), t.shape, name)
            XCTAssertEqual(file.dtype(name), .f32, name)
            let back = try file.tensor(name)
            worst = worst.nanAwareMax(Tensor.maxAbsDiff(back.data, t.values))
            XCTAssertEqual(back.data.map(\.bitPattern), t.values.map(\.bitPattern), name)
        }
        print("safetensors round trip: \(tensors.count) tensors, maxdiff \(worst)")
        XCTAssertEqual(worst, 0)
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(headerLength % 8, 0, "the data starts 8-byte aligned")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path),
                       ["depth.safetensors"], "no temporary file left beside it")
    }

    func testABadTensorLeavesTheOldFileUntouched() throws {
        let dir = try StudyFixtures.temporaryFolder("safetensors-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("w.safetensors")
        try SafetensorsWriter.write(["a": ([2], [1, 2])], to: url)
        let before = try Data(contentsOf: url)
        XCTAssertThrowsError(try SafetensorsWriter.write(["a": ([3], [1, 2])], to: url)) { error in
            print("safetensors writer: \(error)")
            XCTAssertTrue("\(error)".contains("w.safetensors") && "\(error)".contains("'a'"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: url), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["w.safetensors"])
        // Overwriting replaces the whole file.
        try SafetensorsWriter.write(["b": ([1], [9])], to: url)
        XCTAssertEqual(try SafetensorsFile(path: url.path).keys, ["b"])
    }
}

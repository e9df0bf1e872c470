// `ldmprobe bench study --config tiny`: the sizing benchmark runs the real streamed pipeline on a random-weight
// model of the demo's shapes and reports the child's seconds, peak RSS and bytes written — one JSON line and one
// human line on stdout — and leaves nothing behind in its work folder.
import Foundation
import XCTest

final class BenchStudyCLITests: XCTestCase {
    func testTinyStudyReportsCostAndCleansUp() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-study-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let (status, out, err) = try LDMProbeCLI.run(["bench", "study", "--config", "tiny", "--images", "2", "--steps", "2",
                                                      "--work", work.path])
        XCTAssertEqual(status, 0, err)
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, out)
        print(out)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(json["config"] as? String, "tiny")
        XCTAssertEqual(json["images"] as? Int, 2)
        XCTAssertEqual(json["steps"] as? Int, 2)
        XCTAssertEqual(json["height"] as? Int, 64)
        let seconds = try XCTUnwrap(json["seconds"] as? Double), perImage = try XCTUnwrap(json["seconds_per_image"] as? Double)
        XCTAssertGreaterThan(seconds, 0)
        XCTAssertEqual(perImage, seconds / 2, accuracy: 1e-9)
        // The pipeline child holds at least its model and plugins: more than 20 MB, and less than the machine.
        let rss = try XCTUnwrap(json["peak_rss_bytes"] as? Int)
        XCTAssertGreaterThan(rss, 20 << 20)
        XCTAssertLessThan(rss, 8 << 30)
        // Two PNGs, a manifest, metrics and a report at least; no activations (streamed).
        let written = try XCTUnwrap(json["bytes_written"] as? Int)
        XCTAssertGreaterThan(written, 10_000)
        XCTAssertEqual(json["bytes_written_per_image"] as? Int, written / 2)
        XCTAssertTrue(err.contains("16 layers"), "all 16 self-attention layers probed:\n\(err)")
        XCTAssertTrue(lines[1].hasPrefix("study tiny: 2 images 64×64, 2 steps"), lines[1])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path), [], "temporary files left")
    }
}

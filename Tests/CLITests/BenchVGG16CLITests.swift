// `ldmprobe bench vgg16`: the network alone (full VGG-16 widths, random weights) on a small tensor, one JSON line;
// a size the pools cannot halve five times is refused.
import Foundation
import XCTest

final class BenchVGG16CLITests: XCTestCase {
    func testTimesTheNetworkAndPrintsOneJSONLine() throws {
        let (status, out, err) = try LDMProbeCLI.run(["bench", "vgg16", "--size", "32", "--repeat", "2", "--no-warmup"])
        XCTAssertEqual(status, 0, err)
        let line = try XCTUnwrap(out.split(separator: "\n").last(where: { $0.hasPrefix("{") }), "no JSON line: \(out)")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(json["model"] as? String, "vgg16")
        XCTAssertEqual(json["size"] as? Int, 32)
        XCTAssertEqual(json["batch"] as? Int, 1)
        XCTAssertEqual((json["times_s"] as? [Double])?.count, 2)
        let median = try XCTUnwrap(json["median_s"] as? Double)
        print("bench vgg16 --size 32: median \(median) s, peak RSS \(json["peak_rss_bytes"] ?? "?")")
        XCTAssertGreaterThan(median, 0)
        // 138 M float parameters: the process holds at least the weights.
        XCTAssertGreaterThan(try XCTUnwrap(json["peak_rss_bytes"] as? Int), 138_000_000 * 4)
    }

    func testRefusesASizeThePoolsCannotHalve() throws {
        let (status, _, err) = try LDMProbeCLI.run(["bench", "vgg16", "--size", "40"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(err.contains("multiple of 32"), err)
    }
}

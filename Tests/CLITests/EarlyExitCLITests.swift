// `ldmprobe early-exit` through the built binary: a tiny demo run (2 images, 3 steps) writes the tables, charts and
// page and links them from a pipeline index beside it; --stride with a stateful sampler is refused in one line.
import Foundation
import XCTest

final class EarlyExitCLITests: XCTestCase {
    func ldmprobe(_ arguments: [String]) throws -> (Int32, String, String) { try LDMProbeCLI.run(arguments) }

    func testDemoEarlyExit() throws {
        guard LDMProbeCLI.demoModelPresent else { return XCTFail("no Assets/demo/model/model_index.json (git checkout Assets/demo)") }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-earlyexit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        try Data("<html><body>\n<h1>ldmprobe pipeline</h1>\n</body></html>\n".utf8).write(to: tmp.appendingPathComponent("index.html"))
        let out = tmp.appendingPathComponent("early-exit")
        let start = Date()
        let (status, stdout, err) = try ldmprobe(["early-exit", "--demo", "--count", "2", "--steps", "3", "--after", "0,1,3",
                                                  "--bootstrap", "10", "--quiet", "--out", out.path])
        print("early-exit --demo --count 2 --steps 3: status \(status), \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(stdout.contains("early_exit.html"), stdout)
        let csv = try String(contentsOf: out.appendingPathComponent("early_exit.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        // 2 images × (stop at K = 1, 3 + stride2 and stride3 at K = 0, 1, 3) = 16 rows.
        XCTAssertEqual(lines.count, 1 + 16, csv)
        XCTAssertTrue(lines[0].hasPrefix("image_id,prompt,policy,after,unet_calls"), String(lines[0]))
        for row in lines.dropFirst() where row.contains(",3,3,3,") {   // K = 3 of 3: the full run
            XCTAssertTrue(row.contains(",inf,0,"), "K = last call is not the full run: \(row)")
        }
        for file in ["early_exit_means.csv", "early_exit_paired.csv", "quality_vs_compute.png", "psnr_vs_compute.svg", "early_exit.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        let index = try String(contentsOf: tmp.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("href=\"early-exit/early_exit.html\""), index)
    }

    /// Help examples stay indented (none wrapped by the help formatter).
    func testHelpExamplesDoNotWrap() throws {
        let (status, out, _) = try ldmprobe(["early-exit", "--help"])
        XCTAssertEqual(status, 0)
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var continues = false, examples = 0
        for line in lines {
            let isExample = line.trimmingCharacters(in: .whitespaces).hasPrefix("ldmprobe early-exit --")
            if isExample { examples += 1 }
            if isExample || continues { XCTAssertTrue(line.hasPrefix("  "), "wrapped example line: '\(line)'") }
            continues = (isExample || continues) && line.hasSuffix("\\")
        }
        XCTAssertEqual(examples, 2, out)
    }

    func testStrideWithStatefulSamplerIsRefused() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-earlyexit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let (status, _, err) = try ldmprobe(["early-exit", "--demo", "--sampler", "pndm", "--stride", "2", "--quiet",
                                             "--out", out.path])
        print("early-exit --sampler pndm --stride 2: status \(status), \(err.trimmingCharacters(in: .whitespacesAndNewlines))")
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(err.contains("--stride") && err.contains("stateful"), err)
        XCTAssertEqual(err.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count, 1, err)
    }
}

// The word-map rows of `ldmprobe pipeline` (`foreground:wordmap`, layer daam) on the embedded demo model: present
// per step with the test images counted, drawn in report.html, reproduced by `ldmprobe report`, and the same when
// the study reads a stored run with `*attn2.probs` captures (--from-disk, float32) as when streamed; `--wordmap`
// hands the plugin its settings (daam:steps=1 leaves one per-step row, whose mean Dice is the all-steps one's) and an unknown
// plugin is one error line.
import Foundation
import XCTest

final class WordMapStudyCLITests: XCTestCase {
    func pipeline(_ out: URL, _ extra: [String]) throws -> [[String]] {
        let (status, _, err) = try LDMProbeCLI.run(["pipeline", "--demo", "--count", "8", "--steps", "3",
                                                    "--sampler", "ddim", "--control", "none", "--bootstrap", "50",
                                                    "--quiet", "--out", out.path] + extra)
        XCTAssertEqual(status, 0, err)
        let text = try String(contentsOf: out.appendingPathComponent("ddim/study/metrics.csv"), encoding: .utf8)
        return text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0.count == 8 && $0[2] == "foreground:wordmap" }
    }

    func testWordMapRowsStreamedStoredAndReanalysed() throws {
        guard LDMProbeCLI.demoModelPresent else { return XCTFail("no Assets/demo/model/model_index.json (git checkout Assets/demo)") }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-wordmapstudy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let streamed = try pipeline(tmp.appendingPathComponent("stream"), [])
        XCTAssertEqual(streamed.map { $0[1] }, ["0", "1", "2", "2"], "one row per step, then the all-steps map")
        XCTAssertEqual(streamed.map { $0[0] }, ["daam", "daam", "daam", "daam-all-steps"])
        XCTAssertTrue(streamed.allSatisfy { $0[3] == "dice" && (Int($0[7]) ?? 0) > 0 }, "\(streamed)")
        print("word map dice per step (8 images, 3 steps): \(streamed.map { "\($0[1]): \($0[4]) n=\($0[7])" })")
        let html = try String(contentsOf: tmp.appendingPathComponent("stream/ddim/study/report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("word map (DAAM, that step)") && html.contains("word map (DAAM, all steps)"),
                      "the best-layer chart draws the word map's curves")

        let stored = try pipeline(tmp.appendingPathComponent("disk"), ["--from-disk", "--capture", "*attn1",
                                                                        "--capture", "*attn2.probs",
                                                                        "--activation-dtype", "f32"])
        XCTAssertEqual(stored.map { [$0[0], $0[1], $0[7]] }, streamed.map { [$0[0], $0[1], $0[7]] })
        var d = 0.0
        for (a, b) in zip(streamed, stored) {
            for c in 4...6 { let x = abs((Double(a[c]) ?? .nan) - (Double(b[c]) ?? .nan)); d = x.isNaN || d.isNaN ? .nan : max(d, x) }
        }
        print("word map rows streamed vs --from-disk f32: maxdiff \(d)")
        XCTAssertLessThanOrEqual(d, 1e-6)

        let study = tmp.appendingPathComponent("stream/ddim/study")
        let (status, _, err) = try LDMProbeCLI.run(["report", "--study", study.path])
        XCTAssertEqual(status, 0, err)
        let again = try String(contentsOf: study.appendingPathComponent("metrics.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0.count == 8 && $0[2] == "foreground:wordmap" }
        XCTAssertEqual(again, streamed, "ldmprobe report reproduces the rows from per_image_metrics.csv")
    }

    func testWordMapPluginSettingsReachTheRows() throws {
        guard LDMProbeCLI.demoModelPresent else { return XCTFail("no Assets/demo/model/model_index.json (git checkout Assets/demo)") }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-wordmapstudy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let rows = try pipeline(tmp.appendingPathComponent("one"), ["--wordmap", "daam:steps=1"])
        XCTAssertEqual(rows.map { [$0[0], $0[1]] }, [["daam", "1"], ["daam-all-steps", "2"]],
                       "calls 0 and 2 are left out by the plugin: no rows; all steps = call 1 alone")
        if rows.count == 2 {
            print("daam:steps=1 rows: \(rows.map { "\($0[0]) \($0[1]): \($0[4])" })")
            // (Each row's bootstrap interval has its own random stream; the mean and n are the map's.)
            XCTAssertEqual([rows[0][4], rows[0][7]], [rows[1][4], rows[1][7]], "the same map, so the same mean Dice")
        }
        let (status, _, err) = try LDMProbeCLI.run(["pipeline", "--demo", "--count", "8", "--steps", "3",
                                                    "--sampler", "ddim", "--control", "none", "--quiet",
                                                    "--wordmap", "nosuch", "--out", tmp.appendingPathComponent("x").path])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(err.contains("nosuch"), err)
        XCTAssertEqual(err.split(separator: "\n").filter { $0.contains("rror") }.count, 1, err)
    }
}

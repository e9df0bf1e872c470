// `ldmprobe wordmaps` on the tiny SD-v1-topology model: the maps and overlays it writes, words.csv, a word the
// prompt lacks, and a bad flag as one error line.
import Foundation
import XCTest

final class WordMapsCLITests: XCTestCase {
    static let tinySD = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tiny-sd")

    func testWritesMapsOverlaysAndWordsTable() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-wordmaps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let (status, stdout, stderr) = try LDMProbeCLI.run([
            "wordmaps", "--model", Self.tinySD.path, "--prompt", "an axolotl on a wooden table", "--seed", "3",
            "--height", "64", "--width", "64", "--steps", "2", "--sampler", "ddim", "--words", "axolotl,table,zebra",
            "--out", out.path])
        print("wordmaps: status \(status); \(stdout.split(separator: "\n").last ?? "")")
        XCTAssertEqual(status, 0, stderr)
        XCTAssertTrue(stderr.contains("zebra"), "a word the prompt lacks is reported: \(stderr)")
        let id = "prompt_0_seed_3"
        let folder = out.appendingPathComponent(id)
        for file in ["image.png", "tokens.npy", "word00_axolotl.npy", "word00_axolotl.png", "word01_table.npy",
                     "word01_table.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), file)
        }
        let csv = try String(contentsOf: out.appendingPathComponent("words.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, csv)
        // axolotl is 4 BPE tokens (ax o lot l</w>) at positions 2…5 after the start token and "an".
        XCTAssertTrue(lines[1].hasPrefix("\(id),axolotl,2 3 4 5,ax o lot l</w>,"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("\(id),table,9,table</w>,"), lines[2])
        // The .npy map is min-max normalised: values in [0, 1] with both ends reached.
        let npy = try Data(contentsOf: folder.appendingPathComponent("word00_axolotl.npy"))
        let values = npy.suffix(64 * 64 * 4).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let lo = values.min() ?? .nan, hi = values.max() ?? .nan
        print("wordmaps: axolotl map range [\(lo), \(hi)]")
        XCTAssertEqual(lo, 0, accuracy: 1e-6)
        // DAAM divides by (max − min + 1e-8): the top is 1 less about 1e-8 / range.
        XCTAssertEqual(hi, 1, accuracy: 1e-5)
    }

    func testBadHeadListIsOneErrorLine() throws {
        let (status, _, stderr) = try LDMProbeCLI.run([
            "wordmaps", "--model", Self.tinySD.path, "--prompt", "a cube", "--heads", "2-x", "--out", "/nonexistent/x"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(stderr.contains("--heads '2-x'"), stderr)
    }
}

// `ldmprobe wordmaps` on the tiny SD-v1-topology model: the maps and overlays it writes, words.csv, a word the
// prompt lacks, a bad flag as one error line, and --wordmap: the flags are daam's settings, a plugin spec with the
// same settings gives the same maps, an unknown plugin is one error line.
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

    /// `--run` on a run that stored the probabilities (float32) gives the maps computed while generating.
    func testRunFolderGivesTheInProcessMaps() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-wordmaps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let common = ["--model", Self.tinySD.path, "--prompt", "an axolotl on a wooden table", "--seed", "3",
                      "--height", "64", "--width", "64", "--steps", "2", "--sampler", "ddim", "--quiet"]
        let run = tmp.appendingPathComponent("run"), direct = tmp.appendingPathComponent("direct")
        let stored = tmp.appendingPathComponent("stored")
        var r = try LDMProbeCLI.run(["generate"] + common + ["--capture", "*attn2.probs", "--activation-dtype", "f32",
                                                             "--out", run.path])
        XCTAssertEqual(r.0, 0, r.2)
        r = try LDMProbeCLI.run(["wordmaps"] + common + ["--words", "axolotl", "--out", direct.path])
        XCTAssertEqual(r.0, 0, r.2)
        r = try LDMProbeCLI.run(["wordmaps", "--run", run.path, "--words", "axolotl", "--quiet", "--out", stored.path])
        XCTAssertEqual(r.0, 0, r.2)
        let a = try Self.axolotl(direct), b = try Self.axolotl(stored)
        let d = Self.maxdiff(a, b)
        print("wordmaps --run vs in-process: maxdiff \(d) over \(a.count) values")
        XCTAssertEqual(a.count, 64 * 64)
        XCTAssertLessThanOrEqual(d, 1e-6)
    }

    /// `--wordmap daam:heads=1,absolute=true` and `--heads 1 --absolute` are the same plugin call: equal maps.
    func testWordMapSpecEqualsTheFlags() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-wordmaps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let common = ["wordmaps", "--model", Self.tinySD.path, "--prompt", "an axolotl on a wooden table", "--seed", "3",
                      "--height", "64", "--width", "64", "--steps", "2", "--sampler", "ddim", "--words", "axolotl",
                      "--quiet"]
        let a = tmp.appendingPathComponent("flags"), b = tmp.appendingPathComponent("spec")
        var r = try LDMProbeCLI.run(common + ["--heads", "1", "--absolute", "--out", a.path])
        XCTAssertEqual(r.0, 0, r.2)
        r = try LDMProbeCLI.run(common + ["--wordmap", "daam:heads=1,absolute=true", "--out", b.path])
        XCTAssertEqual(r.0, 0, r.2)
        let x = try Self.axolotl(a), y = try Self.axolotl(b)
        let d = Self.maxdiff(x, y)
        print("wordmaps --heads 1 --absolute vs --wordmap daam:heads=1,absolute=true: maxdiff \(d); max \(x.max() ?? .nan)")
        XCTAssertEqual(x.count, 64 * 64)
        XCTAssertEqual(d, 0)
        XCTAssertLessThan(x.max() ?? .nan, 0.9, "absolute maps are probabilities, not min-max normalised")
        r = try LDMProbeCLI.run(common + ["--wordmap", "nosuch", "--out", tmp.appendingPathComponent("x").path])
        XCTAssertNotEqual(r.0, 0)
        XCTAssertTrue(r.2.contains("nosuch"), r.2)
        XCTAssertEqual(r.2.split(separator: "\n").filter { $0.contains("rror") }.count, 1, r.2)
    }

    /// The 64×64 float32 map word00_axolotl.npy of image prompt_0_seed_3 in `dir` (the header skipped).
    static func axolotl(_ dir: URL) throws -> [Float] {
        let d = try Data(contentsOf: dir.appendingPathComponent("prompt_0_seed_3/word00_axolotl.npy"))
        return d.suffix(64 * 64 * 4).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// max |a − b|, NaN if either holds one.
    static func maxdiff(_ a: [Float], _ b: [Float]) -> Float {
        var d: Float = 0
        for (x, y) in zip(a, b) { d = max(d, abs(x - y)); if x.isNaN || y.isNaN { return .nan } }
        return d
    }

    func testBadHeadListIsOneErrorLine() throws {
        let (status, _, stderr) = try LDMProbeCLI.run([
            "wordmaps", "--model", Self.tinySD.path, "--prompt", "a cube", "--heads", "2-x", "--out", "/nonexistent/x"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(stderr.contains("--heads '2-x'"), stderr)
        XCTAssertEqual(stderr.split(separator: "\n").filter { $0.contains("rror") }.count, 1, stderr)
    }
}

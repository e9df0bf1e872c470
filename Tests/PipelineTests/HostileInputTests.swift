// Hostile inputs to generation and the run folder (issue 14): names that would leave the output folder, a user's
// own hidden .tmp files, flag values that would overflow or allocate without bound, a PNG that declares 10¹²
// pixels, NaN initial noise — each a one-line error (or left alone), never a trap or a write outside --out.
import FileFormats
import Foundation
import Pipeline
import XCTest

final class HostileInputTests: XCTestCase {
    func testSafeNames() throws {
        for good in ["prompt_0_seed_1", "down_blocks.0.attentions.0", "depth", "x..y"] {
            XCTAssertNoThrow(try SafePath.checkName(good, what: "name"), good)
        }
        for bad in ["", ".", "..", "../../x", "a/b", "/etc/passwd", ".hidden", "a\\b", "a\u{0}b", "line\nbreak",
                    String(repeating: "x", count: 300)] {
            XCTAssertThrowsError(try SafePath.checkName(bad, what: "label name"), bad.debugDescription) { error in
                XCTAssertFalse("\(error)".contains("\n"), "\(error)")
                XCTAssertTrue("\(error)".hasPrefix("label name '"), "\(error)")
            }
        }
        let out = URL(fileURLWithPath: "/tmp/out")
        XCTAssertEqual(try SafePath.join(out, "predictions/depth/label_a.png", what: "x").path, "/tmp/out/predictions/depth/label_a.png")
        assertOneLineError("starts with '.'") { _ = try SafePath.join(out, "predictions/../../x.png", what: "prediction") }
        assertOneLineError("absolute path") { _ = try SafePath.join(out, "/x.png", what: "prediction") }
    }

    func testMergeRefusesIDsThatLeaveTheFolder() throws {
        let root = Fixtures.scratch("hostile-merge")
        defer { try? FileManager.default.removeItem(at: root) }
        let shard = root.appendingPathComponent("shard")
        let job = ImageJob(id: "prompt_0_seed_1", prompt: "p", noise: .seed(1), promptIndex: 0)
        let (run, _) = try mockRun(folder: shard, jobs: [job], steps: 2)
        try run.execute(ldmprobeVersion: "test", pluginAbi: "1.0")
        // Rename the image in the manifest (and its files) to an id that climbs out of the merged folder.
        let manifestURL = shard.appendingPathComponent("manifest.json")
        let text = try String(contentsOf: manifestURL, encoding: .utf8)
        try text.replacingOccurrences(of: "prompt_0_seed_1", with: "../../escaped")
            .write(to: manifestURL, atomically: true, encoding: .utf8)
        let out = root.appendingPathComponent("a/b/merged")
        assertOneLineError("image id '../../escaped'") {
            _ = try RunMerger.merge(into: RunFolder(out), from: [RunFolder(shard)])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("escaped.png").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("a/escaped.png").path))
        print("merge with a manifest id '../../escaped': refused, nothing written outside")
    }

    func testAFreshRunKeepsTheUsersHiddenTmpFiles() throws {
        let dir = Fixtures.scratch("hostile-tmp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("notes"), withIntermediateDirectories: true)
        let mine = [dir.appendingPathComponent(".draft.tmp"), dir.appendingPathComponent("notes/.vim.swp.tmp")]
        for u in mine { try Data("user".utf8).write(to: u) }
        let leftover = dir.appendingPathComponent(".ldmprobe-123-456.manifest.json.tmp")
        try Data().write(to: leftover)
        let job = ImageJob(id: "prompt_0_seed_1", prompt: "p", noise: .seed(1), promptIndex: 0)
        let (run, _) = try mockRun(folder: dir, jobs: [job], steps: 2)
        try run.execute(ldmprobeVersion: "test", pluginAbi: "1.0")
        for u in mine { XCTAssertTrue(fm.fileExists(atPath: u.path), "\(u.lastPathComponent) was deleted") }
        XCTAssertFalse(fm.fileExists(atPath: leftover.path), "ldmprobe's own leftover temporary was kept")
        XCTAssertTrue(AtomicFile.temporaryURL(for: dir.appendingPathComponent("x.npy")).lastPathComponent.hasPrefix(".ldmprobe-"))
    }

    func testFlagValuesAreRangeChecked() throws {
        XCTAssertEqual(try ListFlag.indices("0,5,10-12", flag: "--steps"), [0, 5, 10, 11, 12])
        assertOneLineError("--steps") { _ = try ListFlag.indices("0-9223372036854775807", flag: "--steps") }
        assertOneLineError("--steps") { _ = try ListFlag.indices("5-2", flag: "--steps") }
        assertOneLineError("--steps") { _ = try ListFlag.indices("-1", flag: "--steps") }
        XCTAssertEqual(try ListFlag.shape("1,4,64,64", flag: "--shape"), [1, 4, 64, 64])
        assertOneLineError("--shape") { _ = try ListFlag.shape("4294967296,4294967296", flag: "--shape") }
        assertOneLineError("--shape") { _ = try ListFlag.shape("1,0", flag: "--shape") }
        for (settings, option) in [(GenerationSettings(height: 4_611_686_018_427_387_904), "--height"),
                                   (GenerationSettings(steps: Int.max), "--steps"),
                                   (GenerationSettings(guidance: 1e308), "--guidance"),
                                   (GenerationSettings(guidance: .nan), "--guidance")] {
            assertOneLineError(option) { try settings.validate() }
        }
    }

    func testPNGPixelBudgetIsCheckedFromTheHeader() throws {
        // 74 bytes: a valid signature and IHDR declaring 1 000 000 × 1 000 000 RGB pixels, an empty IDAT, IEND.
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let t = Array(type.utf8)
            var crc: UInt32 = 0xffff_ffff
            for b in t + body {
                crc ^= UInt32(b)
                for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
            }
            crc ^= 0xffff_ffff
            func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
            return be(UInt32(body.count)) + t + body + be(crc)
        }
        let side: [UInt8] = [0x00, 0x0f, 0x42, 0x40]
        let bytes: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] + chunk("IHDR", side + side + [8, 2, 0, 0, 0])
            + chunk("IDAT", [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
        let url = Fixtures.scratch("hostile-png").appendingPathComponent("huge.png")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try Data(bytes).write(to: url)
        print("  huge.png: \(bytes.count) bytes declaring 1000000×1000000")
        assertOneLineError("pixel budget") { _ = try PNGImage.read(url) }
    }

    func testNonFiniteInitialNoiseStopsWithTheImageAndCause() throws {
        let dir = Fixtures.scratch("hostile-nan")
        defer { try? FileManager.default.removeItem(at: dir) }
        var values = [Float](repeating: 0.5, count: 16)
        values[3] = .nan
        let noise = dir.appendingPathComponent("noise.npy")
        try NpyArray(float32: values, shape: [1, 4, 2, 2]).write(to: noise)
        let job = ImageJob.single(prompt: "p", noiseFile: noise.path)
        let (run, _) = try mockRun(folder: dir.appendingPathComponent("run"), jobs: [job], steps: 2)
        assertOneLineError("image prompt_0_noise: the initial noise holds NaN or infinity") {
            try run.execute(ldmprobeVersion: "test", pluginAbi: "1.0")
        }
    }
}

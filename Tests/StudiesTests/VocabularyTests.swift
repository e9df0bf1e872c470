// The one grammar of each shared option: labels (NAME=LABELER[:SOURCE][,k=v…]), UNet calls (lists, ranges, all,
// last), layers (globs), a refused non-empty --out, and the sha256 study.json records.
import Foundation
import Studies
import XCTest

final class VocabularyTests: XCTestCase {
    func testLabelSpec() throws {
        let a = try LabelSpec(parsing: "fg=world-foreground")
        XCTAssertEqual([a.name, a.labeler, a.source], ["fg", "world-foreground", ""])
        let b = try LabelSpec(parsing: "depth=midas:labels/midas,normalize=minmax")
        XCTAssertEqual([b.name, b.labeler, b.source], ["depth", "midas:normalize=minmax", "labels/midas"])
        let c = try LabelSpec(parsing: "d=world-depth,weights=/x/y.safetensors")
        XCTAssertEqual([c.name, c.labeler, c.source], ["d", "world-depth:weights=/x/y.safetensors", ""])
        for bad in ["fg", "=x", "fg=", "a:b=x", "fg=:src"] {
            XCTAssertThrowsError(try LabelSpec(parsing: bad), bad)
        }
    }

    func testCallIndices() throws {
        XCTAssertEqual(try CallIndices("all").resolve(calls: 4), [0, 1, 2, 3])
        XCTAssertEqual(try CallIndices("last").resolve(calls: 4), [3])
        XCTAssertEqual(try CallIndices("0,2-3,last").resolve(calls: 5), [0, 2, 3, 4])
        XCTAssertEqual(try CallIndices("1-1").resolve(calls: 2), [1])
        XCTAssertThrowsError(try CallIndices("5").resolve(calls: 5))
        for bad in ["", "3-1", "x", "-1", "1-"] { XCTAssertThrowsError(try CallIndices(bad), bad) }
    }

    func testLayerGlobs() throws {
        let names = ["down_blocks.0.attentions.0.transformer_blocks.0.attn1", "mid_block.attentions.0.transformer_blocks.0.attn1",
                     "up_blocks.3.attentions.0.transformer_blocks.0.attn1", "up_blocks.3.attentions.1.transformer_blocks.0.attn1"]
        XCTAssertEqual(try LayerPatterns.expand(["up_blocks.3*"], available: names), Array(names[2...]))
        XCTAssertEqual(try LayerPatterns.expand(LayerPatterns.split(["mid_block*,up_blocks.3.attentions.1*"]),
                                                available: names), [names[1], names[3]])
        XCTAssertThrowsError(try LayerPatterns.expand(["up_blocks.9*"], available: names))
    }

    func testNonEmptyOutIsRefused() throws {
        let dir = Fixtures.scratch("out")
        defer { try? FileManager.default.removeItem(at: dir) }
        try OutputFolder.prepare(dir, policy: .refuseNonEmpty)  // empty: fine
        try Data("x".utf8).write(to: dir.appendingPathComponent("f"))
        XCTAssertThrowsError(try OutputFolder.prepare(dir, policy: .refuseNonEmpty))
        try OutputFolder.prepare(dir, policy: .resume)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("f").path))
        try OutputFolder.prepare(dir, policy: .overwrite)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [OutputFolder.marker])
    }

    /// --overwrite deletes only what ldmprobe made: a folder without its marker or results is the user's.
    func testOverwriteRefusesAFolderItDidNotMake() throws {
        let dir = Fixtures.scratch("users")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let mine = dir.appendingPathComponent("thesis.tex")
        try Data("x".utf8).write(to: mine)
        XCTAssertThrowsError(try OutputFolder.prepare(dir, policy: .overwrite)) { e in
            print("overwrite of a user's folder: \(e)")
            XCTAssertTrue("\(e)".contains("not made by ldmprobe"), "\(e)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: mine.path))
    }

    func testSHA256() {
        // FIPS 180-4 examples: "abc" and the 448-bit two-block message.
        XCTAssertEqual(SHA256.hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}

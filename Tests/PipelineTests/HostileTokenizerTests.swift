// Hostile tokenizer files and prompts (issue 14): CRLF merges read like LF ones, empty merges and bad ids refused
// with a one-line error, and a huge prompt costs what its 77-token window costs — with ids unchanged.
import Foundation
import Tokenizer
import XCTest

final class HostileTokenizerTests: XCTestCase {
    private static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/clip-tokenizer")
    private static let prompts = ["a photograph of an astronaut riding a horse", "Hello, WORLD!! it's 3 o'clock",
                                  "<|endoftext|>close-up,  ultra-detailed\tcat", "naïve café déjà vu — ümlaut"]

    private func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testCRLFMergesGiveTheSameIDs() throws {
        let lf = try CLIPTokenizer(folder: Self.folder)
        let dir = try scratch()
        let text = try String(contentsOf: Self.folder.appendingPathComponent("merges.txt"), encoding: .utf8)
        try text.replacingOccurrences(of: "\n", with: "\r\n").write(to: dir.appendingPathComponent("merges.txt"),
                                                                  atomically: true, encoding: .utf8)
        let crlf = try CLIPTokenizer(vocabURL: Self.folder.appendingPathComponent("vocab.json"),
                                     mergesURL: dir.appendingPathComponent("merges.txt"))
        for p in Self.prompts { XCTAssertEqual(crlf.encode(p), lf.encode(p), p) }
        XCTAssertLessThan(lf.encode("astronaut").filter { $0 != lf.padID }.count, 5)   // merged, not characters
        print("CRLF merges.txt: \(Self.prompts.count) prompts identical to LF")
    }

    func testEmptyOrMalformedFilesAreRefused() throws {
        let dir = try scratch()
        let vocab = Self.folder.appendingPathComponent("vocab.json")
        let merges = dir.appendingPathComponent("merges.txt")
        try "#version: 0.2\n\n".write(to: merges, atomically: true, encoding: .utf8)
        assertOneLineError("no merges", naming: "merges.txt") { _ = try CLIPTokenizer(vocabURL: vocab, mergesURL: merges) }

        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: vocab)) as! [String: Int]
        object["a"] = -5
        let bad = dir.appendingPathComponent("vocab.json")
        try JSONSerialization.data(withJSONObject: object).write(to: bad)
        assertOneLineError("not an integer in 0…", naming: "vocab.json") {
            _ = try CLIPTokenizer(vocabURL: bad, mergesURL: Self.folder.appendingPathComponent("merges.txt"))
        }
        object["a"] = 1 << 40
        try JSONSerialization.data(withJSONObject: object).write(to: bad)
        assertOneLineError("not an integer in 0…", naming: "vocab.json") {
            _ = try CLIPTokenizer(vocabURL: bad, mergesURL: Self.folder.appendingPathComponent("merges.txt"))
        }
    }

    func testHugePromptsCostTheWindowNotTheText() throws {
        let tok = try CLIPTokenizer(folder: Self.folder)
        // A 1 MB word (one BPE piece) and a 10 MB field of words.
        let word = String(repeating: "supercalifragilistic", count: 52_429)
        var start = Date()
        let w = tok.encode(word)
        let wordSeconds = Date().timeIntervalSince(start)
        let field = String(repeating: "a red cube on a blue sphere, ", count: 360_000)
        start = Date()
        let f = tok.encode(field)
        let fieldSeconds = Date().timeIntervalSince(start)
        print("1 MB word: \(String(format: "%.2f", wordSeconds)) s; 10 MB field: \(String(format: "%.3f", fieldSeconds)) s")
        XCTAssertEqual(w.count, 77)
        XCTAssertEqual(f.count, 77)
        XCTAssertLessThan(wordSeconds, 20)
        XCTAssertLessThan(fieldSeconds, 2)
        XCTAssertEqual(Array(f.prefix(8)), Array(tok.encode("a red cube on a blue sphere, a").prefix(8)))
    }

    func testWindowedEncodingMatchesTheWholeText() throws {
        let tok = try CLIPTokenizer(folder: Self.folder)
        // Texts long enough that the prefix is cut several times, including inside words and special tokens.
        var rng = SystemRandomNumberGenerator()
        let parts = ["photo", "of", "a", "<|endoftext|>", "<|startoftext|>", "x", "naïve", "—", "12", "'s", "  ",
                     String(repeating: "z", count: 5000), "é", "<|endof", "text|>"]
        var checked = 0
        for _ in 0..<40 {
            var text = ""
            while text.utf8.count < 30_000 { text += parts.randomElement(using: &rng)! + (Bool.random() ? " " : "") }
            let whole = [tok.bosID] + tok.encodeRaw(text).prefix(tok.maxLength - 2) + [tok.eosID]
            let padded = whole + [Int](repeating: tok.padID, count: tok.maxLength - whole.count)
            XCTAssertEqual(tok.encode(text), padded, String(text.prefix(200)))
            checked += 1
        }
        print("windowed encode identical to encodeRaw's first 75 ids on \(checked) random 30 KB texts")
    }
}

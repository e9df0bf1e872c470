// CLIPTokenizer against transformers' CLIPTokenizer (5.x, ftfy blocked) as diffusers calls it: every prompt of the
// training split (246) plus tricky ones must give identical 77 ids.
// Fixtures: tools/make_clip_vocab.py → Fixtures/clip-tokenizer, tools/make_tokenizer_fixtures.py → Fixtures/tokenizer.
import Foundation
import Tokenizer
import XCTest

final class CLIPTokenizerTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    private struct Case: Decodable { var source: String; var text: String; var ids: [Int] }
    private struct Fixture: Decodable { var transformers: String; var cases: [Case] }

    private func tokenizer() throws -> CLIPTokenizer {
        try CLIPTokenizer(folder: Self.fixtures.appendingPathComponent("clip-tokenizer"))
    }

    func testEveryFixturePromptIdentical() throws {
        let tok = try tokenizer()
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("tokenizer/prompts.json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        var mismatches = 0
        for c in fixture.cases {
            let ids = tok.encode(c.text)
            if ids != c.ids {
                mismatches += 1
                XCTFail("\(c.source) prompt \(c.text.debugDescription): \(ids) ≠ reference \(c.ids)")
            }
        }
        let dataset = fixture.cases.filter { $0.source == "dataset" }.count
        print("CLIPTokenizerTests: \(fixture.cases.count) prompts (\(dataset) dataset), \(mismatches) mismatched " +
              "(transformers \(fixture.transformers))")
        XCTAssertEqual(dataset, 246)
    }

    func testSpecialIDsAndPadding() throws {
        let tok = try tokenizer()
        XCTAssertEqual(tok.vocabulary.count, 49408)
        XCTAssertEqual(tok.bosID, 49406)
        XCTAssertEqual(tok.eosID, 49407)
        // python: CLIPTokenizer(...)("", padding="max_length", max_length=77, truncation=True).input_ids
        XCTAssertEqual(tok.encode(""), [49406] + [Int](repeating: 49407, count: 76))
        // python: tok("a photo of a cat").input_ids → [49406, 320, 1125, 539, 320, 2368, 49407]
        XCTAssertEqual(Array(tok.encode("A photo of a CAT").prefix(7)), [49406, 320, 1125, 539, 320, 2368, 49407])
    }

    func testTruncationKeepsBosPlus75PlusEos() throws {
        let tok = try tokenizer()
        let ids = tok.encode(Array(repeating: "word", count: 100).joined(separator: " "))
        XCTAssertEqual(ids.count, 77)
        XCTAssertEqual(ids.first, 49406)
        XCTAssertEqual(ids.last, 49407)
        XCTAssertEqual(ids[1...75].filter { $0 == 2653 }.count, 75)  // "word</w>" = 2653
    }

    func testMissingVocabIsAnError() {
        XCTAssertThrowsError(try CLIPTokenizer(folder: URL(fileURLWithPath: "/nonexistent"))) { error in
            XCTAssertTrue("\(error)".contains("vocab.json"), "\(error)")
        }
    }
}

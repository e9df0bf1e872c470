// The dataset CSV: rows copied verbatim from the real training split and a Latin-1 edge-case file, compared with
// what Python's csv module reads (csv_expected.json); malformed files give errors with the line; CSVWriter's
// output reads back field for field.
import FileFormats
import Foundation
import XCTest

final class CSVTests: XCTestCase {
    struct Expected: Decodable { let prompt: String; let seed: String; let prompt_ind: Int }

    func expected(_ name: String) throws -> [PromptRow] {
        let all = try JSONDecoder().decode([String: [Expected]].self,
                                           from: Data(contentsOf: Fixtures.formats("csv_expected.json")))
        return all[name]!.map { PromptRow(prompt: $0.prompt, seed: UInt64($0.seed)!, promptIndex: $0.prompt_ind) }
    }

    func testDatasetRowsMatchPythonCSV() throws {
        let rows = try PromptRow.read(Fixtures.formats("dataset_sample.csv"))
        let ref = try expected("dataset_sample.csv")
        XCTAssertEqual(rows.count, ref.count)
        XCTAssertEqual(rows, ref)
        XCTAssertEqual(rows[0].imageID, "prompt_5229800_seed_5107435")
        XCTAssertTrue(rows.contains { $0.prompt.contains("Choice\u{00AE}") })
        print("csv dataset_sample: \(rows.count) rows equal to Python's csv module")
    }

    func testRealTrainingSplit() throws {
        // A verbatim copy of the study's training split (Tests/Fixtures/csv/FIXTURE.md).
        let rows = try PromptRow.read(Fixtures.root.appendingPathComponent("csv/train_split_prompts_seeds.csv"))
        XCTAssertEqual(rows.count, 246)
        XCTAssertEqual(Set(rows.map(\.imageID)).count, 246)
    }

    func testLatin1EdgeCases() throws {
        let rows = try PromptRow.read(Fixtures.formats("edge_latin1.csv"))
        XCTAssertEqual(rows, try expected("edge_latin1.csv"))
        XCTAssertEqual(rows[0].prompt, "caf\u{e9} cr\u{e8}me, \u{bd} price")
        XCTAssertEqual(rows[1].prompt, "a \"quoted\" word\r\nand a second line")
        XCTAssertEqual(rows[1].seed, UInt64.max)
        XCTAssertEqual(rows[3].prompt, "")
        // Explicit Latin-1 decoding of a UTF-8 file gives the mojibake pandas would.
        let mojibake = try PromptRow.read(Fixtures.formats("dataset_sample.csv"), encoding: .latin1)
        XCTAssertTrue(mojibake.contains { $0.prompt.contains("Choice\u{00C2}\u{00AE}") })
        XCTAssertThrowsError(try PromptRow.read(Fixtures.formats("edge_latin1.csv"), encoding: .utf8))
    }

    func testMalformedFilesGiveLineNumbers() {
        let cases: [(String, Int)] = [
            ("prompts,seeds,prompt_inds\n\"open quote,1,2\n", 2),
            ("prompts,seeds,prompt_inds\na,1\n", 2),
            ("prompts,seeds,prompt_inds\na,1,2\nb,x,3\n", 3),
            ("prompts,seed,prompt_inds\na,1,2\n", 1),
            ("prompts,seeds,prompt_inds\n\"a\"b,1,2\n", 2),
            ("", 1),
        ]
        for (text, line) in cases {
            XCTAssertThrowsError(try PromptRow.parse(Data(text.utf8), path: "bad.csv")) { error in
                print("csv: \(error)")
                guard case let FileFormatsError.csv(path, l, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(path, "bad.csv")
                XCTAssertEqual(l, line, "\(error)")
            }
        }
    }

    /// Quotes, commas, CR/LF and newlines inside fields, empty fields and a lone empty field survive a round trip.
    func testWriterRoundTrip() throws {
        let rows: [[String]] = [
            ["plain", "a, comma", "a \"quoted\" word", "line one\nline two"],
            ["crlf\r\ninside", "", "\"", ",,"],
            ["caf\u{e9} \u{bd}", " spaced ", "trailing,", "\"\""],
        ]
        let header = ["a", "b", "c", "d"]
        let text = CSVWriter.table(header: header, rows: rows)
        let back = try CSVReader.parse(text, path: "roundtrip.csv")
        XCTAssertEqual(back.map(\.fields), [header] + rows)
        XCTAssertEqual(back.map(\.line), [1, 2, 4, 6], "records start on the lines their newlines put them on")
        let lone = try CSVReader.parse(CSVWriter.record(["x"]) + CSVWriter.record([""]), path: "lone.csv")
        XCTAssertEqual(lone.map(\.fields), [["x"], [""]])
        XCTAssertEqual(CSVWriter.field("plain"), "plain")
        XCTAssertEqual(CSVWriter.field("a\"b"), "\"a\"\"b\"")

        // Through a file and the prompt reader (seeds and indices as the dataset has them).
        let dir = Fixtures.scratch("csvwriter")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("prompts.csv")
        let prompts = [PromptRow(prompt: "a \"red\", cube\non a table", seed: 7, promptIndex: 0),
                       PromptRow(prompt: "", seed: UInt64.max, promptIndex: 3)]
        try CSVWriter.write(header: ["prompts", "seeds", "prompt_inds"],
                            rows: prompts.map { [$0.prompt, String($0.seed), String($0.promptIndex)] }, to: url)
        XCTAssertEqual(try PromptRow.read(url), prompts)
        XCTAssertEqual(try CSVReader.read(url).count, 3)
        print("csv round trip: \(rows.count) rows with quotes, commas and newlines read back equal")
    }

    /// An unterminated quote names the file and the line the quote opened on; an oversized field or record is an
    /// error, not a field that swallows the rest of the file.
    func testMalformedAndOversizedInput() {
        func expectError(_ text: String, line: Int, limits: CSVLimits = CSVLimits(), _ what: String) {
            XCTAssertThrowsError(try CSVReader.parse(text, path: "bad.csv", limits: limits), what) { error in
                print("csv \(what): \(error)")
                guard case let FileFormatsError.csv(path, l, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(path, "bad.csv", what)
                XCTAssertEqual(l, line, what)
                XCTAssertTrue("\(error)".hasPrefix("bad.csv:\(line): "), "\(error)")
            }
        }
        expectError("a,b\n1,2\n3,\"never closed\n4,5\n", line: 3, "unterminated quote")
        expectError("a,b\n1,\"x\"y\n", line: 2, "text after a closing quote")
        expectError("a,b\nx\"y,1\n", line: 2, "quote in an unquoted field")
        let small = CSVLimits(fieldLength: 16, fieldCount: 4)
        expectError("a,b\n1,\"" + String(repeating: "x", count: 100) + "\n", line: 2, limits: small,
                    "field beyond the limit in an unterminated quote")
        expectError("a,b\n" + String(repeating: "y", count: 17) + ",1\n", line: 2, limits: small, "long unquoted field")
        expectError("a,b\n1,2,3,4,5\n", line: 2, limits: small, "too many fields")
        XCTAssertNoThrow(try CSVReader.parse("a,b\n" + String(repeating: "y", count: 16) + ",1\n", path: "ok.csv",
                                             limits: small), "a field exactly at the limit is fine")
        XCTAssertThrowsError(try CSVReader.read(URL(fileURLWithPath: "/no/such/file.csv"))) { error in
            XCTAssertTrue("\(error)".contains("/no/such/file.csv"), "\(error)")
        }
    }
}

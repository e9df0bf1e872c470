// The dataset CSV: rows copied verbatim from the real training split and a Latin-1 edge-case file, compared with
// what Python's csv module reads (csv_expected.json); malformed files give errors with the line.
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

    func testRealTrainingSplitWhenPresent() throws {
        let real = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/data/train_split_prompts_seeds.csv")
        guard FileManager.default.fileExists(atPath: real.path) else { throw XCTSkip("no ../shared/data") }
        let rows = try PromptRow.read(real)
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
}

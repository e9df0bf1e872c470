// `world render --first-index` and `--count` near Int.max (issue 14): refused with a one-line error before any
// index arithmetic can overflow; `scenes` gives none rather than trapping.
import Foundation
import World
import XCTest

final class WorldRangeTests: XCTestCase {
    func testHugeFirstIndexIsRefused() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("world-range-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let ds = WorldDataset(samples: 1)
        for (first, count) in [(Int.max, 2), (Int.max - 1, 10), (-1, 1), (0, Int.max)] {
            XCTAssertThrowsError(try ds.write(count: count, size: 8, baseSeed: 1, firstIndex: first, to: out,
                                              progress: false)) { error in
                print("first-index \(first), count \(count) → \(error)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
            XCTAssertEqual(ds.scenes(count: count, baseSeed: 1, firstIndex: first).count, 0)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("prompts.csv").path))
        XCTAssertEqual(ds.scenes(count: 3, baseSeed: 1, firstIndex: 5).count, 3)
    }
}

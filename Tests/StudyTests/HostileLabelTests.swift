// Hostile label pickles through the generic importer (issue 14): 100 000 nested tuples, under protocol 5 (the
// importer's own reader) and protocol 2 (Weights' restricted unpickler), are refused with a one-line error
// instead of overflowing the stack.
import Foundation
import PluginHost
import XCTest

final class HostileLabelTests: XCTestCase {
    func testDeeplyNestedPicklesAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for proto: UInt8 in [5, 2] {
            let bytes: [UInt8] = [0x80, proto, 0x29] + [UInt8](repeating: 0x85, count: 100_000) + [0x2e]
            try Data(bytes).write(to: dir.appendingPathComponent("deep\(proto).pkl"))
        }
        let labeler = try StudyFixtures.registry().labeler(spec: "generic").instantiate(source: dir.path)
        for proto in [5, 2] {
            XCTAssertThrowsError(try labeler.load(imageID: "deep\(proto)", height: 4, width: 4)) { error in
                print("protocol \(proto), 100 000 nested tuples → \(error)")
                XCTAssertFalse("\(error)".contains("\n"))
                XCTAssertTrue("\(error)".contains("deep\(proto).pkl"))
            }
        }
    }
}

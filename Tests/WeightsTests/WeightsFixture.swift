// Shared helpers for the Weights tests: fixture paths and the expected values dumped by
// tools/make_weights_fixtures.py (Fixtures/weights/expected.json).
import Foundation
import Tensor
import XCTest

enum WeightsFixture {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let dir = fixtures.appendingPathComponent("weights")

    static func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    struct Expected: Decodable { var shape: [Int]; var values: [Float] }
    struct File: Decodable { var torch: String; var expected: [String: [String: Expected]] }

    static func expected(_ group: String) throws -> [String: Expected] {
        let data = try Data(contentsOf: dir.appendingPathComponent("expected.json"))
        return try JSONDecoder().decode(File.self, from: data).expected[group] ?? [:]
    }

    /// Largest |a − b| (∞ when the counts differ).
    static func maxdiff(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return Tensor.maxAbsDiff(a, b)
    }
}

// Shared helpers for StudyTests: fixture paths (Tests/Fixtures/study, made by tools/make_study_fixtures.py),
// .npy/JSON loading, maxdiff, and the plugin registry over this build's product folder.
import FileFormats
import Foundation
import PluginHost
import XCTest
import Tensor

enum StudyFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/study")

    static func url(_ rel: String) -> URL { root.appendingPathComponent(rel) }

    static func npy(_ rel: String) throws -> (shape: [Int], values: [Float]) {
        try NpyArray.readFloats(url(rel))
    }

    static func json(_ rel: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(rel))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// The folder holding this build's products (lib*.so plugins sit beside the test bundle).
    static var productFolder: String {
        let candidates = [URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent(),
                          Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL,
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        for c in candidates where FileManager.default.fileExists(atPath: c.appendingPathComponent("libLinearProbe.so").path) {
            return c.path
        }
        return candidates[0].path
    }

    nonisolated(unsafe) private static var cached: PluginRegistry?

    static func registry() throws -> PluginRegistry {
        if let r = cached { return r }
        let r = try PluginRegistry.discover(extraPaths: [productFolder], useEnvironment: false, useExecutableFolder: false)
        cached = r
        return r
    }

    /// NaN if either side holds a NaN, +∞ if the counts differ (Tensor.maxAbsDiff), so both fail `≤ tol`.
    static func maxdiff<T: FloatingPoint>(_ a: [T], _ b: [T]) -> T { Tensor.maxAbsDiff(a, b) }

    /// A fresh temporary folder.
    static func temporaryFolder(_ name: String) throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-study-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}

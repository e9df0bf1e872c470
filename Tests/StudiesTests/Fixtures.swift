// Fixtures, scratch folders, NaN-aware maxdiff and the plugin registry (this build's product folder) for
// StudiesTests. A missing plugin or fixture fails the test.
import Foundation
import PluginHost
import XCTest

enum Fixtures {
    /// Tests/Fixtures, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    /// The repository root (Assets/demo holds the world estimators' weights).
    static let repository = root.deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh empty folder under the system temporary directory.
    static func scratch(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ldmprobe-studiestests-\(getpid())-\(name)-\(UInt32.random(in: 0 ... .max))")
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Largest absolute difference; NaN where exactly one side is NaN (so it fails any `<` check), sizes must agree.
    static func maxdiff(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .nan }
        var m: Float = 0
        for i in 0 ..< a.count {
            if a[i].isNaN && b[i].isNaN { continue }
            let d = abs(a[i] - b[i])
            if d.isNaN { return .nan }
            m = max(m, d)
        }
        return m
    }

    /// The tokenizer of tiny-sd, else the CLIP fixture's.
    static var tokenizer: String {
        let own = root.appendingPathComponent("tiny-sd/tokenizer")
        if FileManager.default.fileExists(atPath: own.appendingPathComponent("vocab.json").path) { return own.path }
        return root.appendingPathComponent("clip-tokenizer").path
    }
}

enum Plugins {
    /// The plugin registry of the test binary's folder (where SwiftPM builds the lib*.so plugins).
    /// A missing plugin is a failure, never a skip: the plugins are built with the tests.
    static let discovered = Result { try PluginRegistry.discover(extraPaths: [], useEnvironment: false) }

    static func registry() throws -> PluginRegistry {
        do { return try discovered.get() } catch {
            XCTFail("no plugin registry next to the test binary: \(error) (build it: swift build -c release --build-tests)")
            throw error
        }
    }

    static func sampler(_ spec: String) throws -> SamplerPlugin {
        do { return try registry().sampler(spec: spec) } catch {
            XCTFail("sampler plugin '\(spec)' not loadable next to the test binary: \(error) (build it: swift build -c release --build-tests)")
            throw error
        }
    }

    static func probe(_ spec: String) throws -> ProbePlugin {
        do { return try registry().probe(spec: spec) } catch {
            XCTFail("probe plugin '\(spec)' not loadable next to the test binary: \(error) (build it: swift build -c release --build-tests)")
            throw error
        }
    }
}

// validate-plugin (PluginHost.PluginValidator): every shipped plugin and every example passes; each deliberately
// broken plugin of Tests/Fixtures/PluginHost/validatekit.c fails the check it breaks, with a reason.
import Foundation
import PluginHost
import XCTest

final class ValidatorTests: XCTestCase {
    /// The package's plugin libraries, built next to the test runner (SwiftPM's product folder).
    static let shipped = ["DDIMSampler", "PNDMSampler", "LMSSampler", "LinearProbe", "VGGClassifier", "LabelImporters",
                          "WorldLabelers", "WorldClassifier", "DAAMWordMaps"]

    static func shippedPaths() throws -> [String] {
        let dir = try XCTUnwrap(PluginRegistry.executableDirectory())
        return try shipped.map { name in
            let path = "\(dir)/lib\(name)\(TestLibraries.suffix)"
            guard FileManager.default.fileExists(atPath: path) else {
                throw TestLibraries.BuildError(description: "\(path) is not built (swift build -c release --build-tests)")
            }
            return path
        }
    }

    /// Parameters that let the shipped plugins create without downloads: random VGG weights at 1/16 width.
    static func shippedOptions() throws -> ValidationOptions {
        var o = ValidationOptions()
        o.repeats = 4
        for name in ["vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"] {
            o.specs[name] = try PluginSpec.parse("\(name):weights=random:0/16").settings
        }
        return o
    }

    func assertPasses(_ report: ValidationReport, _ what: String) {
        print(report.table)
        XCTAssertTrue(report.passed, "\(what): " + report.failures.map { "\($0.plugin) \($0.check): \($0.detail)" }
            .joined(separator: "\n"))
    }

    func testShippedPluginsPass() throws {
        let start = Date()
        let report = PluginValidator.validate(libraries: try Self.shippedPaths(), options: try Self.shippedOptions())
        assertPasses(report, "shipped plugins")
        let plugins = Set(report.checks.map(\.plugin)).subtracting([""])
        print("validate-plugin: \(plugins.count) shipped plugins, \(report.checks.count) checks, "
              + String(format: "%.1f s", Date().timeIntervalSince(start)))
        for p in ["sampler ddim", "sampler pndm", "sampler lms", "probe linear", "classifier vgg16", "labeler tracer",
                  "labeler world-depth", "classifier world-objects", "wordmap daam"] {
            XCTAssertTrue(plugins.contains(p), "\(p) not validated")
        }
        // The kind-specific checks ran, not only the descriptor ones.
        let names = Set(report.checks.map { "\($0.plugin)/\($0.check)" })
        for c in ["sampler pndm/deterministic", "sampler ddim/stateless", "probe linear/save-load binary",
                  "classifier vgg16/probabilities", "labeler world-depth/needs-image", "labeler tracer/load",
                  "wordmap daam/maps"] {
            XCTAssertTrue(names.contains(c), "\(c) missing")
        }
    }

    func testExamplesPass() throws {
        let libs = try [TestLibraries.path("libexample_euler\(TestLibraries.suffix)"),
                        TestLibraries.path("libtestkit\(TestLibraries.suffix)")]
            + ["example_ridge", "example_luma", "example_wordpeak", "validatekit"].map(TestLibraries.example)
        var o = ValidationOptions()
        o.specs["index-labeler"] = try PluginSpec.parse("index-labeler:offset=3").settings
        let report = PluginValidator.validate(libraries: libs, options: o)
        assertPasses(report, "examples")
        XCTAssertTrue(report.checks.contains { $0.plugin == "probe example-ridge" && $0.check == "merge binary" })
        XCTAssertTrue(report.checks.contains { $0.plugin == "labeler example-luma" && $0.check == "needs-image" })
    }

    /// Each broken plugin fails exactly the check it breaks, and says why.
    func testBrokenPluginsFailWithAReason() throws {
        let expected: [String: (plugin: String, check: String, reason: String)] = [
            "CALLCOUNT": ("sampler toy-sampler", "timesteps", "set_timesteps(1) plans 5 calls; expected 1…3"),
            "NONDET": ("sampler toy-sampler", "deterministic", "a fresh instance differs from the first run at call 0"),
            "NAN": ("sampler toy-sampler", "finite", "step(2) x_prev: value nan at index 128"),
            "LEAK": ("sampler toy-sampler", "create-destroy", "host->alloc block(s) were not freed"),
            "SAVELOAD": ("probe toy-probe", "save-load binary", "get_weights after set_weights differs"),
            "PROBSUM": ("classifier toy-classifier", "probabilities", "not 1 (±1e-3)"),
        ]
        for c in TestLibraries.validateCases {
            let e = try XCTUnwrap(expected[c])
            let report = PluginValidator.validate(libraries: [try TestLibraries.example("validatekit_\(c.lowercased())")])
            let failed = report.failures
            print("\(c): " + failed.map { "\($0.plugin) \($0.check): \($0.detail)" }.joined(separator: " | "))
            XCTAssertFalse(report.passed, c)
            let hit = failed.first { $0.plugin == e.plugin && $0.check == e.check }
            XCTAssertNotNil(hit, "\(c): no failed \(e.plugin) \(e.check)")
            XCTAssertTrue(hit?.detail.contains(e.reason) ?? false, "\(c): '\(hit?.detail ?? "")' lacks '\(e.reason)'")
            // The other plugins of the library are unaffected.
            XCTAssertTrue(failed.allSatisfy { $0.plugin == e.plugin }, "\(c): \(failed.map(\.plugin))")
        }
    }

    /// A plugin built against the frozen 1.0 headers loads in this newer-minor host and keeps every promise.
    func testPluginBuiltAgainstABI10Loads() throws {
        let path = try TestLibraries.example("validatekit10")
        let r = try PluginRegistry.discover(extraPaths: [path], useEnvironment: false, useExecutableFolder: false)
        XCTAssertTrue(r.failures.isEmpty, "\(r.failures)")
        let info = try r.plugin(.sampler, named: "toy-sampler")
        XCTAssertEqual(info.abiVersion, "1.0")
        XCTAssertEqual(info.capabilities, 0)
        XCTAssertEqual(r.report.hostAbi, "1.2")
        print("old plugin: ABI \(info.abiVersion) in host ABI \(r.report.hostAbi); descriptor capabilities \(info.capabilities)")
        let s = try r.sampler(spec: "toy-sampler:scale=0.5").instantiate()
        try s.setTimesteps(3)
        XCTAssertEqual(s.timesteps, [999, 499.5, 0])
        let out = try s.step(call: 0, modelOutput: [2, 4], sample: [1, 1], shape: [2])
        XCTAssertEqual(out.prevSample, [0, -1])  // x − scale·ε: the parameter arrived through the 1.0 layout
        assertPasses(PluginValidator.validate(libraries: [path]), "1.0 plugin")
    }

    func testCapabilitiesComeFromTheDescriptor() throws {
        let dir = try XCTUnwrap(PluginRegistry.executableDirectory())
        let r = try PluginRegistry.discover(extraPaths: [dir, try TestLibraries.example("example_ridge"),
                                                         try TestLibraries.example("example_luma")],
                                            useEnvironment: false, useExecutableFolder: false)
        XCTAssertTrue(try r.probe(spec: "linear:fit=lstsq").isOnePass)
        XCTAssertFalse(try r.probe(spec: "linear:fit=adam").isOnePass)
        XCTAssertTrue(try r.probe(spec: "example-ridge").isOnePass)
        XCTAssertTrue(try r.sampler(spec: "pndm").isStateful)
        XCTAssertTrue(try r.sampler(spec: "lms").isStateful)
        XCTAssertFalse(try r.sampler(spec: "ddim").isStateful)
        XCTAssertTrue(try r.labeler(spec: "world-depth").needsImage)
        XCTAssertTrue(try r.labeler(spec: "example-luma").needsImage)
        XCTAssertFalse(try r.labeler(spec: "tracer").needsImage)
        let report = r.report
        XCTAssertEqual(report.plugins.first { $0.name == "linear" }?.capabilities, ["one-pass"])
        XCTAssertEqual(report.plugins.first { $0.name == "pndm" }?.capabilities, ["stateful"])
        print("capabilities: " + report.plugins.map { "\($0.name)=\($0.capabilities ?? [])" }.joined(separator: " "))
    }
}

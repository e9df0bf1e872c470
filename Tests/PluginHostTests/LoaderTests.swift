// Loading through dlopen: the good libraries load, every broken one is reported with its reason, and nothing
// crashes the host.
import Foundation
import PluginHost
import XCTest

final class LoaderTests: XCTestCase {
    func testGoodPluginsLoadAndBrokenLibrariesAreReported() throws {
        let r = try TestLibraries.registry()
        for p in r.plugins { print("loaded: \(p.label) \(p.version) ABI \(p.abiVersion) from \(p.library)") }
        for f in r.failures { print("failed: \(f.path): \(f.reason)") }

        let labels = Set(r.plugins.map(\.label))
        XCTAssertEqual(labels, ["sampler example-euler", "probe sum-probe", "classifier echo-classifier",
                                "labeler index-labeler", "classifier fine", "classifier future-cap"])
        let euler = try r.plugin(.sampler, named: "example-euler")
        XCTAssertEqual(euler.version, "1.0.0")
        XCTAssertEqual(euler.abiVersion, "1.2")
        XCTAssertEqual(euler.params.map(\.name), ["timestep_spacing", "steps_offset", "num_train_timesteps",
                                                  "beta_start", "beta_end", "prediction_type"])
        XCTAssertEqual(euler.params[0].choices, ["linspace", "leading", "trailing"])
        XCTAssertEqual(euler.params[1].min, 0)
        XCTAssertEqual(euler.params[1].max, 1000)
        XCTAssertEqual(euler.actions.map(\.name), ["write_sigmas"])
        XCTAssertEqual(euler.actions[0].argTypes, [.path, .int])

        func reasons(_ file: String) -> [String] {
            r.failures.filter { URL(fileURLWithPath: $0.path).lastPathComponent == file }.map(\.reason)
        }
        XCTAssertTrue(reasons("libgarbage\(TestLibraries.suffix)").first?.hasPrefix("not a loadable shared object: ") ?? false)
        XCTAssertEqual(reasons("libnoentry\(TestLibraries.suffix)"), ["no entry symbol ldmprobe_entry_v1 (not an ldmprobe plugin)"])
        XCTAssertEqual(reasons("libmajor2\(TestLibraries.suffix)"), ["ABI major 2, host supports 1"])
        XCTAssertTrue(reasons("libv2only\(TestLibraries.suffix)").first?.hasPrefix("built for ABI major 2") ?? false)
        XCTAssertEqual(reasons("libinitfail\(TestLibraries.suffix)"),
                       ["init failed (LDMP_ERR_IO (2)): initfail: weights folder missing (hint: set LDMP_TEST_WEIGHTS)"])
        let malformed = reasons("libmalformed\(TestLibraries.suffix)")
        XCTAssertEqual(malformed.count, 5)
        XCTAssertTrue(malformed[0].contains("#1") && malformed[0].contains("'Bad Name' does not match [a-z0-9_-]+"))
        XCTAssertTrue(malformed[1].contains("#2") && malformed[1].contains("vtable struct_size 8 <"))
        XCTAssertTrue(malformed[2].contains("#3") && malformed[2].contains("default '99' is invalid: out of range [0, 10]"))
        XCTAssertTrue(malformed[3].contains("#4") && malformed[3].contains("bits 0x1 that are not for a classifier"))
        XCTAssertTrue(malformed[4].contains("#6") && malformed[4].contains("wordmap no-finish")
                      && malformed[4].contains("vtable function(s) finish, mask_threshold are NULL but required"),
                      malformed[4])
        // A capability bit of a newer minor is ignored, not an error.
        XCTAssertEqual(try r.plugin(.classifier, named: "future-cap").capabilities, 0x100)
        XCTAssertEqual(r.report.plugins.first { $0.name == "future-cap" }?.capabilities, [])
        XCTAssertEqual(r.failures.count, 10)
    }

    /// Loading twice (a second registry, a second path to the same file) neither re-inits nor duplicates.
    func testRediscoveryReusesLoadedLibraries() throws {
        let a = try TestLibraries.registry()
        let b = try PluginRegistry.discover(extraPaths: [try TestLibraries.path("libexample_euler\(TestLibraries.suffix)"),
                                                         TestLibraries.folder.path + "/./"],
                                            useEnvironment: false, useExecutableFolder: false)
        XCTAssertEqual(a.plugins.count, b.plugins.count)
        XCTAssertEqual(b.plugins.filter { $0.name == "example-euler" }.count, 1)
    }

    /// A second library with a plugin of the same kind and name is shadowed, and says so.
    func testDuplicatePluginIsShadowed() throws {
        let dir = try TestLibraries.build().appendingPathComponent("dup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try TestLibraries.compile(["-std=c11", "-shared", "-fPIC", "-I", TestLibraries.include,
                                   TestLibraries.repoRoot.appendingPathComponent("Examples/CPlugin/example_euler.c").path,
                                   "-lm", "-o", dir.appendingPathComponent("libeuler_copy\(TestLibraries.suffix)").path])
        let r = try PluginRegistry.discover(extraPaths: [try TestLibraries.build().path, dir.path],
                                            useEnvironment: false, useExecutableFolder: false)
        XCTAssertEqual(try r.plugin(.sampler, named: "example-euler").library,
                       try TestLibraries.path("libexample_euler\(TestLibraries.suffix)"))
        let shadow = r.failures.filter { $0.path.hasSuffix("libeuler_copy\(TestLibraries.suffix)") }.map(\.reason)
        print(shadow)
        XCTAssertEqual(shadow.count, 1)
        XCTAssertTrue(shadow[0].hasPrefix("sampler example-euler ignored: shadowed by "))
    }

    func testMissingPluginPathThrows() {
        XCTAssertThrowsError(try PluginRegistry.discover(extraPaths: ["/nonexistent/ldmp"], useEnvironment: false,
                                                         useExecutableFolder: false)) { e in
            XCTAssertEqual("\(e)", "plugin library /nonexistent/ldmp: no such file or directory (from --plugin-path)")
        }
    }

    func testUnknownPluginListsAvailable() throws {
        let r = try TestLibraries.registry()
        XCTAssertThrowsError(try r.sampler(spec: "ddim-typo")) { e in
            print(e)
            XCTAssertTrue("\(e)".hasPrefix("no sampler plugin named 'ddim-typo'; available: example-euler"))
        }
    }

    /// A library given directly as a spec (`./libx.so:k=v`).
    func testSpecWithLibraryPath() throws {
        let r = try TestLibraries.registry()
        let s = try r.sampler(spec: try TestLibraries.path("libexample_euler\(TestLibraries.suffix)") + ":timestep_spacing=leading")
        XCTAssertEqual(s.name, "example-euler")
        XCTAssertEqual(s.parameters["timestep_spacing"]?.stringValue, "leading")
        XCTAssertThrowsError(try r.probe(spec: try TestLibraries.path("libexample_euler\(TestLibraries.suffix)"))) { e in
            XCTAssertTrue("\(e)".contains("no probe plugin in it"), "\(e)")
        }
    }

    /// The product folder is searched by default: the samplers built by this package load from there.
    func testProductFolderPlugins() throws {
        let dir = try XCTUnwrap(PluginRegistry.executableDirectory())
        let r = try PluginRegistry.discover(useEnvironment: false)
        print("product folder \(dir): \(r.plugins.map(\.label)); failures: \(r.failures.map { "\($0.path): \($0.reason)" })")
        let libs = ["libDDIMSampler\(TestLibraries.suffix)", "libPNDMSampler\(TestLibraries.suffix)", "libLMSSampler\(TestLibraries.suffix)"]
            .filter { FileManager.default.fileExists(atPath: dir + "/" + $0) }
        XCTAssertEqual(libs.count, 3, "sampler plugins missing in \(dir) (build it: swift build -c release --build-tests)")
        for lib in libs {
            XCTAssertTrue(r.plugins.contains { $0.library.hasSuffix("/" + lib) && $0.kind == .sampler },
                          "\(lib) did not load: \(r.failures.filter { $0.path.hasSuffix(lib) })")
        }
    }
}

// The built `ldmprobe` binary (in the product folder): `plugins --json` lists the example and the failures,
// `action` runs and reports usage errors.
import Foundation
import PluginHost
import XCTest

final class PluginCLITests: XCTestCase {
    func binary() throws -> String {
        let dir = try XCTUnwrap(PluginRegistry.executableDirectory())
        let path = dir + "/ldmprobe"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return try XCTUnwrap(nil, "ldmprobe is not built in \(dir) (build it: swift build -c release --build-tests)")
        }
        return path
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["LDMPROBE_PLUGIN_PATH"] = nil
        return env
    }

    func testPluginsJSON() throws {
        let exe = try binary()
        let r = try TestLibraries.run(exe, ["plugins", "--json", "--plugin-path", try TestLibraries.build().path],
                                      environment: environment)
        XCTAssertEqual(r.status, 0, r.output)
        let report = try JSONDecoder().decode(RegistryReport.self, from: Data(r.stdout.utf8))
        print("ldmprobe plugins: \(report.plugins.map { "\($0.kind.rawValue) \($0.name)" }); "
              + "\(report.failures.count) failures")
        let euler = try XCTUnwrap(report.plugins.first { $0.name == "example-euler" })
        XCTAssertEqual(euler.kind, .sampler)
        XCTAssertEqual(euler.params.first?.name, "timestep_spacing")
        XCTAssertEqual(euler.actions.first?.name, "write_sigmas")
        for lib in ["libgarbage", "libnoentry", "libmajor2", "libv2only", "libinitfail", "libmalformed"]
            .map({ $0 + TestLibraries.suffix }) {
            XCTAssertTrue(report.failures.contains { $0.file.hasSuffix("/" + lib) }, lib)
        }
        // The samplers built next to the binary, once they exist.
        let dir = URL(fileURLWithPath: exe).deletingLastPathComponent().path
        for (lib, name) in [("libDDIMSampler", "ddim"), ("libPNDMSampler", "pndm"), ("libLMSSampler", "lms")]
            .map({ ($0.0 + TestLibraries.suffix, $0.1) })
        where FileManager.default.fileExists(atPath: dir + "/" + lib) {
            let p = report.plugins.first { $0.file.hasSuffix("/" + lib) }
            XCTAssertNotNil(p, "\(lib) not loaded: \(report.failures.filter { $0.file.hasSuffix(lib) }.map(\.reason))")
            print("\(lib): \(p.map { "\($0.kind.rawValue) \($0.name) \($0.version)" } ?? "missing") (expected \(name))")
        }
        // The text form mentions the failures too.
        let text = try TestLibraries.run(exe, ["plugins", "--plugin-path", try TestLibraries.build().path],
                                         environment: environment)
        XCTAssertEqual(text.status, 0)
        XCTAssertTrue(text.stdout.contains("example-euler 1.0.0"))
        XCTAssertTrue(text.stdout.contains("ABI major 2, host supports 1"))
    }

    /// `wordmaps --wordmap LIBRARY`: a third party's word-map plugin (Examples/CWordMap) replaces daam end to end.
    func testWordMapsWithACPlugin() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-wordpeak-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let tiny = TestLibraries.repoRoot.appendingPathComponent("Tests/Fixtures/tiny-sd").path
        let r = try TestLibraries.run(try binary(), [
            "wordmaps", "--model", tiny, "--prompt", "an axolotl on a wooden table", "--seed", "3", "--height", "64",
            "--width", "64", "--steps", "2", "--sampler", "ddim", "--words", "axolotl", "--quiet",
            "--wordmap", try TestLibraries.example("example_wordpeak") + ":threshold=0.01", "--out", out.path],
            environment: environment)
        XCTAssertEqual(r.status, 0, r.output)
        let npy = try Data(contentsOf: out.appendingPathComponent("prompt_0_seed_3/word00_axolotl.npy"))
        let map = npy.suffix(64 * 64 * 4).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let lo = map.min() ?? .nan, hi = map.max() ?? .nan
        print("wordmaps with example-wordpeak: axolotl map range [\(lo), \(hi)]")
        // Probabilities (not min-max normalised as daam's): inside (0, 1) and not constant.
        XCTAssertGreaterThan(lo, 0)
        XCTAssertLessThan(hi, 1)
        XCTAssertGreaterThan(hi, lo)
        let csv = try String(contentsOf: out.appendingPathComponent("words.csv"), encoding: .utf8)
        XCTAssertTrue(csv.contains("prompt_0_seed_3,axolotl,2 3 4 5,"), csv)
    }

    func testActionCommand() throws {
        let exe = try binary()
        let dir = try TestLibraries.build().path
        let out = try TestLibraries.build().appendingPathComponent("ldmp-cli-\(UUID().uuidString).txt").path
        var r = try TestLibraries.run(exe, ["action", "example-euler", "write_sigmas", out, "5", "--plugin-path", dir],
                                      environment: environment)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count, 6)
        r = try TestLibraries.run(exe, ["action", "example-euler", "write_sigmas", out, "--plugin-path", dir],
                                  environment: environment)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.output.contains("usage: ldmprobe action example-euler write_sigmas <output:path> <steps:int>"),
                      r.output)
        r = try TestLibraries.run(exe, ["action", "example-euler", "write_sigmas", out, "0", "--plugin-path", dir],
                                  environment: environment)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.output.contains("steps 0 out of range"), r.output)
    }

    func testValidatePluginCommand() throws {
        let exe = try binary()
        var r = try TestLibraries.run(exe, ["validate-plugin", "--json", "--repeats", "3",
                                            try TestLibraries.path("libexample_euler\(TestLibraries.suffix)")],
                                      environment: environment)
        XCTAssertEqual(r.status, 0, r.output)
        let report = try JSONDecoder().decode(ValidationReport.self, from: Data(r.stdout.utf8))
        XCTAssertTrue(report.passed)
        XCTAssertTrue(report.checks.contains { $0.plugin == "sampler example-euler" && $0.check == "stateless" })
        print("validate-plugin --json example_euler: \(report.checks.count) checks passed")
        r = try TestLibraries.run(exe, ["validate-plugin", try TestLibraries.example("validatekit_nan")],
                                  environment: environment)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stdout.contains("FAIL  sampler toy-sampler"), r.stdout)
        XCTAssertTrue(r.stdout.contains("is not finite"), r.stdout)
        r = try TestLibraries.run(exe, ["validate-plugin", "/nonexistent/libx.so"], environment: environment)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.output.contains("/nonexistent/libx.so: no such file or folder"), r.output)
    }
}

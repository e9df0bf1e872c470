// Actions called through libffi: arguments of every type, wrong count/type → usage, status and message back.
import Foundation
import PluginHost
import XCTest

final class ActionTests: XCTestCase {
    func tempFile(_ name: String) -> String {
        TestLibraries.folder.appendingPathComponent("ldmp-\(UUID().uuidString)-\(name)").path
    }

    func testExampleWriteSigmas() throws {
        let r = try TestLibraries.registry()
        let euler = try r.plugin(.sampler, named: "example-euler")
        let out = tempFile("sigmas.txt")
        let outcome = try ActionRunner.run(plugin: euler, action: "write_sigmas", arguments: [out, "10"])
        XCTAssertEqual(outcome.status, 0)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").dropFirst()
        let sigmas = lines.map { Double($0.split(separator: " ")[2])! }
        let timesteps = lines.map { Double($0.split(separator: " ")[1])! }
        let ref = try EulerExampleTests.fixture().cases.first { $0.name == "linspace" }!
        let d = zip(sigmas, ref.sigmas).map { abs($0 - $1) / $1 }.reduce(0) { $0.isNaN || $1.isNaN ? .nan : max($0, $1) }
        print("write_sigmas vs diffusers: sigma max reldiff \(d)")
        XCTAssertEqual(sigmas.count, 10)
        XCTAssertLessThan(d, 1e-6)
        XCTAssertEqual(timesteps, ref.timesteps.map { ($0 * 10).rounded() / 10 })
    }

    func testUsageErrors() throws {
        let euler = try TestLibraries.registry().plugin(.sampler, named: "example-euler")
        let usage = "usage: ldmprobe action example-euler write_sigmas <output:path> <steps:int>"
        XCTAssertEqual(ActionRunner.usage(euler, euler.actions[0]),
                       "ldmprobe action example-euler write_sigmas <output:path> <steps:int>")
        XCTAssertThrowsError(try ActionRunner.run(plugin: euler, action: "write_sigmas", arguments: ["x"])) { e in
            XCTAssertEqual("\(e)", "action example-euler write_sigmas: expected 2 argument(s), got 1; " + usage)
        }
        XCTAssertThrowsError(try ActionRunner.run(plugin: euler, action: "write_sigmas", arguments: ["x", "ten"])) {
            XCTAssertEqual("\($0)", "action example-euler write_sigmas: argument 2 (steps) 'ten': expected an integer; "
                           + usage)
        }
        XCTAssertThrowsError(try ActionRunner.run(plugin: euler, action: "nope", arguments: [])) {
            XCTAssertEqual("\($0)", "action example-euler nope: no such action; usage: actions of sampler "
                           + "example-euler: write_sigmas")
        }
    }

    func testFailingActionReturnsStatusAndMessage() throws {
        let euler = try TestLibraries.registry().plugin(.sampler, named: "example-euler")
        var o = try ActionRunner.run(plugin: euler, action: "write_sigmas", arguments: [tempFile("x"), "0"])
        XCTAssertEqual(o.status, 1)
        XCTAssertEqual(o.message, "example-euler: steps 0 out of range 1…1000")
        o = try ActionRunner.run(plugin: euler, action: "write_sigmas", arguments: ["/nonexistent-dir/x.txt", "3"])
        XCTAssertEqual(o.status, 2)
        XCTAssertEqual(o.message, "example-euler: cannot write /nonexistent-dir/x.txt (hint: does its folder exist?)")
    }

    /// Every argument type crosses libffi intact (string, path, int64, double, int32 bool).
    func testAllArgumentTypes() throws {
        let echo = try TestLibraries.registry().plugin(.classifier, named: "echo-classifier")
        let out = tempFile("echo.txt")
        var o = try ActionRunner.run(plugin: echo, action: "echo",
                                     arguments: [out, "héllo wörld", "-0", "0.1", "true"])
        XCTAssertEqual(o.status, 0)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8),
                       "héllo wörld|0|0.10000000000000001|1|\(HostServices.hostVersion)")
        o = try ActionRunner.run(plugin: echo, action: "echo",
                                 arguments: [out, "", "9223372036854775807", "-1e300", "0"])
        XCTAssertEqual(o.status, 0)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8),
                       "|9223372036854775807|-1.0000000000000001e+300|0|\(HostServices.hostVersion)")
        o = try ActionRunner.run(plugin: echo, action: "echo", arguments: [out, "x", "-3", "1", "false"])
        XCTAssertEqual(o.status, 1)
        XCTAssertEqual(o.message, "echo: number must be >= 0")
        XCTAssertThrowsError(try ActionRunner.run(plugin: echo, action: "echo", arguments: [out, "x", "1", "1", "yes"])) {
            XCTAssertTrue("\($0)".contains("argument 5 (flag) 'yes': expected true/false/1/0"), "\($0)")
        }
        XCTAssertThrowsError(try ActionRunner.run(plugin: echo, action: "echo", arguments: [out, "x", "1", "one", "1"])) {
            XCTAssertTrue("\($0)".contains("argument 4 (real) 'one': expected a number"), "\($0)")
        }
    }
}

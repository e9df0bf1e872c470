// PluginKit end to end: the Swift example plugin (Examples/SwiftPlugin/ConstantLabeler.swift) is compiled with
// swiftc against a static PluginKit, as SwiftPM does for Plugins/*, then loaded and driven through the host.
import Foundation
import PluginHost
import XCTest

final class SwiftPluginTests: XCTestCase {
    static let library: Result<String, Error> = Result {
        let root = TestLibraries.repoRoot
        let dir = try TestLibraries.build().appendingPathComponent("swift")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let modulemap = dir.appendingPathComponent("module.modulemap")
        try "module PluginABI {\n  umbrella header \"\(TestLibraries.include)/ldmprobe/ldmprobe.h\"\n  export *\n}\n"
            .write(to: modulemap, atomically: true, encoding: .utf8)
        let kitSources = try FileManager.default.contentsOfDirectory(atPath: root.path + "/Sources/PluginKit")
            .filter { $0.hasSuffix(".swift") }.map { root.path + "/Sources/PluginKit/" + $0 }
        let abi = ["-Xcc", "-fmodule-map-file=\(modulemap.path)", "-I", TestLibraries.include]
        try TestLibraries.compile(["-parse-as-library", "-emit-library", "-static", "-emit-module",
                                   "-module-name", "PluginKit", "-emit-module-path",
                                   dir.appendingPathComponent("PluginKit.swiftmodule").path,
                                   "-o", dir.appendingPathComponent("libPluginKit.a").path] + abi + kitSources,
                                  compiler: "swiftc")
        // lib*.so in a folder of its own, so that the other tests' registries do not pick it up.
        let out = dir.appendingPathComponent("libconstant_labeler\(TestLibraries.suffix)").path
        try TestLibraries.compile(["-parse-as-library", "-emit-library", "-module-name", "ConstantLabeler",
                                   "-I", dir.path] + abi +
                                  [root.path + "/Examples/SwiftPlugin/ConstantLabeler.swift",
                                   dir.appendingPathComponent("libPluginKit.a").path,
                                   "-use-ld=lld", "-Xlinker", "--version-script=\(TestLibraries.exportsMap)",
                                   "-o", out],
                                  compiler: "swiftc")
        return out
    }

    func registry() throws -> PluginRegistry {
        try PluginRegistry.discover(extraPaths: [try Self.library.get()], useEnvironment: false,
                                    useExecutableFolder: false)
    }

    func testDescriptorFromPluginKit() throws {
        let r = try registry()
        XCTAssertTrue(r.failures.isEmpty, "\(r.failures)")
        let info = try r.plugin(.labeler, named: "constant")
        XCTAssertEqual(info.version, "1.0.0")
        XCTAssertEqual(info.abiVersion, "1.2")
        XCTAssertEqual(info.params, [
            ParamInfo(name: "value", type: .float, defaultValue: "0.5", min: 0, max: 1, choices: [],
                      help: "the label of every pixel"),
            ParamInfo(name: "binary", type: .bool, defaultValue: "false", min: nil, max: nil, choices: [],
                      help: "declare the label binary (value must then be 0 or 1)"),
        ])
        XCTAssertEqual(info.actions, [ActionInfo(name: "describe", help: "log NAME, TIMES times",
                                                 argNames: ["name", "times"], argTypes: [.string, .int])])
    }

    func testInstancesAndErrors() throws {
        let r = try registry()
        let l = try r.labeler(spec: "constant:value=0.25").instantiate(source: "unused")
        XCTAssertEqual(l.labelKind, .continuous)
        XCTAssertEqual(try l.load(imageID: "7", height: 2, width: 2), [0.25, 0.25, 0.25, 0.25])
        XCTAssertEqual(try l.load(imageID: "7", height: 1, width: 1, image: [1, 2, 3], imageHeight: 1, imageWidth: 1),
                       [0.25])
        XCTAssertThrowsError(try l.load(imageID: "", height: 1, width: 1)) { e in
            XCTAssertTrue(LabelerInstance.isNotFound(e))
            XCTAssertEqual("\(e)", "constant.load failed (LDMP_ERR_NOT_FOUND (3)): constant: empty image id")
        }
        XCTAssertThrowsError(try r.labeler(spec: "constant:binary=true").instantiate()) { e in
            XCTAssertEqual("\(e)", "constant.create failed (LDMP_ERR_INVALID_ARGUMENT (1)): "
                           + "constant: binary labels need value 0 or 1, got 0.5")
        }
        XCTAssertEqual(try r.labeler(spec: "constant:binary=1,value=1").instantiate().load(imageID: "a", height: 1,
                                                                                            width: 1), [1])
    }

    func testSwiftAction() throws {
        let info = try registry().plugin(.labeler, named: "constant")
        var o = try ActionRunner.run(plugin: info, action: "describe", arguments: ["hello", "2"])
        XCTAssertEqual(o.status, 0)
        o = try ActionRunner.run(plugin: info, action: "describe", arguments: ["hello", "-1"])
        XCTAssertEqual(o.status, 1)
        XCTAssertEqual(o.message, "constant: times must be ≥ 0, got -1")
    }
}

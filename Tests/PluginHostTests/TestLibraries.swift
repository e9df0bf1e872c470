// Builds the C example plugin, the test kit and the broken libraries once per test process, with the system C
// compiler against the headers alone (as a third-party plugin author would).
import Foundation
import PluginHost
import XCTest

enum TestLibraries {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let include = repoRoot.appendingPathComponent("Sources/PluginABI/include").path
    static let exportsMap = repoRoot.appendingPathComponent("Plugins/exports.map").path
    static let fixtures = repoRoot.appendingPathComponent("Tests/Fixtures/PluginHost")
    /// The frozen ABI 1.0 headers (5a0ed77), for the "old plugin" of the compatibility test.
    static let include10 = repoRoot.appendingPathComponent("Tests/Fixtures/PluginABI-1.0/include").path
    /// validatekit.c's broken cases (each breaks one promise validate-plugin checks).
    static let validateCases = ["CALLCOUNT", "NONDET", "NAN", "LEAK", "SAVELOAD", "PROBSUM"]
    static let suffix = PluginRegistry.librarySuffix
    static let cc = ProcessInfo.processInfo.environment["CC"] ?? "cc"
    static let cxx = ProcessInfo.processInfo.environment["CXX"] ?? "c++"

    /// A fresh folder holding every test library (built on first use).
    static let folder: URL = {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("ldmprobe-plugintests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    struct BuildError: Error, CustomStringConvertible { var description: String }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var built = false

    /// Builds everything once; returns the folder.
    static func build() throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        if built { return folder }
        let plugin = ["-std=c11", "-O1", "-shared", "-fPIC", "-I", include, "-Wl,--version-script=\(exportsMap)"]
        try compile(plugin + [repoRoot.appendingPathComponent("Examples/CPlugin/example_euler.c").path, "-lm",
                              "-o", folder.appendingPathComponent("libexample_euler\(suffix)").path])
        try compile(plugin + [fixtures.appendingPathComponent("testkit.c").path, "-lm",
                              "-o", folder.appendingPathComponent("libtestkit\(suffix)").path])
        for c in ["NOENTRY", "MAJOR2", "V2ONLY", "INITFAIL", "MALFORMED"] {
            try compile(["-std=c11", "-shared", "-fPIC", "-I", include, "-DCASE_\(c)",
                         fixtures.appendingPathComponent("broken.c").path,
                         "-o", folder.appendingPathComponent("lib\(c.lowercased())\(suffix)").path])
        }
        // Examples in C and C++ (each in a folder of its own, so that the registries above do not list them) and
        // the validator's kit: good, broken, and built against the 1.0 headers.
        let examples = folder.appendingPathComponent("examples")
        try FileManager.default.createDirectory(at: examples, withIntermediateDirectories: true)
        try compile(["-std=c11", "-O1", "-shared", "-fPIC", "-fvisibility=hidden", "-I", include,
                     repoRoot.appendingPathComponent("Examples/CProbe/example_ridge.c").path, "-lm",
                     "-o", examples.appendingPathComponent("libexample_ridge\(suffix)").path])
        try compile(["-std=c11", "-O1", "-shared", "-fPIC", "-fvisibility=hidden", "-I", include,
                     repoRoot.appendingPathComponent("Examples/CWordMap/example_wordpeak.c").path,
                     "-o", examples.appendingPathComponent("libexample_wordpeak\(suffix)").path])
        try compile(["-std=c++17", "-O1", "-shared", "-fPIC", "-fvisibility=hidden", "-I", include,
                     repoRoot.appendingPathComponent("Examples/CxxPlugin/example_luma.cpp").path,
                     "-Wl,--version-script=\(exportsMap)",
                     "-o", examples.appendingPathComponent("libexample_luma\(suffix)").path], compiler: cxx)
        let kit = fixtures.appendingPathComponent("validatekit.c").path
        for (name, flags) in [("validatekit", ["-I", include]), ("validatekit10", ["-I", include10])]
            + validateCases.map({ ("validatekit_\($0.lowercased())", ["-I", include, "-DCASE_\($0)"]) }) {
            try compile(["-std=c11", "-O1", "-shared", "-fPIC"] + flags + [kit, "-lm", "-o",
                         examples.appendingPathComponent("lib\(name)\(suffix)").path])
        }
        // Not an ELF file at all.
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) })
            .write(to: folder.appendingPathComponent("libgarbage\(suffix)"))
        built = true
        // Loaded libraries stay mapped after their files are removed.
        atexit { try? FileManager.default.removeItem(at: TestLibraries.folder) }
        return folder
    }

    /// Runs the C compiler; throws with its output on failure.
    static func compile(_ args: [String], compiler: String? = nil) throws {
        let r = try run(compiler ?? cc, args)
        guard r.status == 0 else {
            throw BuildError(description: "\(compiler ?? cc) \(args.joined(separator: " ")) failed:\n\(r.output)")
        }
    }

    static func run(_ tool: String, _ args: [String], environment: [String: String]? = nil,
                    cwd: URL? = nil) throws -> (status: Int32, output: String, stdout: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        if let environment { p.environment = environment }
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let so = String(decoding: o, as: UTF8.self)
        return (p.terminationStatus, so + String(decoding: e, as: UTF8.self), so)
    }

    /// A registry over the test folder only (not the environment, not the product folder).
    static func registry() throws -> PluginRegistry {
        try PluginRegistry.discover(extraPaths: [build().path], useEnvironment: false, useExecutableFolder: false)
    }

    static func path(_ name: String) throws -> String { try build().appendingPathComponent(name).path }

    /// An example or validatekit library: "example_ridge" → <folder>/examples/libexample_ridge.so.
    static func example(_ name: String) throws -> String {
        try build().appendingPathComponent("examples/lib\(name)\(suffix)").path
    }
}

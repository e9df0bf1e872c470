// The ABI headers are the contract: each compiles on its own, warning-free, as C11 and as C++17.
import Foundation
import PluginHost
import XCTest

final class HeaderCompileTests: XCTestCase {
    let headers = ["version.h", "tensor.h", "host.h", "params.h", "action.h", "plugin.h", "entry.h", "label.h",
                   "sampler.h", "probe.h", "classifier.h", "labeler.h", "ldmprobe.h"]

    private func check(language: String, compiler: String, flags: [String], ext: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ldmp-headers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for h in headers {
            let src = dir.appendingPathComponent("\(h).\(ext)")
            // Included twice to check the include guards.
            try "#include \"ldmprobe/\(h)\"\n#include \"ldmprobe/\(h)\"\nint main(void) { return 0; }\n"
                .write(to: src, atomically: true, encoding: .utf8)
            try TestLibraries.compile(flags + ["-fsyntax-only", "-I", TestLibraries.include, src.path],
                                      compiler: compiler)
        }
        print("\(language): \(headers.count) headers compile with \(flags.joined(separator: " "))")
    }

    func testHeadersCompileAsC11() throws {
        try check(language: "C11", compiler: TestLibraries.cc,
                  flags: ["-x", "c", "-std=c11", "-pedantic", "-Wall", "-Wextra", "-Werror"], ext: "c")
    }

    func testHeadersCompileAsCxx17() throws {
        try check(language: "C++17", compiler: TestLibraries.cxx,
                  flags: ["-x", "c++", "-std=c++17", "-pedantic", "-Wall", "-Wextra", "-Werror"], ext: "cpp")
    }

    /// The example and the test kit are themselves warning-free C11.
    func testExampleCompilesWarningFree() throws {
        let out = FileManager.default.temporaryDirectory
            .appendingPathComponent("libex-\(UUID().uuidString)\(TestLibraries.suffix)")
        defer { try? FileManager.default.removeItem(at: out) }
        let strict = ["-pedantic", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-I", TestLibraries.include]
        for src in ["Examples/CPlugin/example_euler.c", "Examples/CProbe/example_ridge.c",
                    "Examples/CWordMap/example_wordpeak.c", "Tests/Fixtures/PluginHost/testkit.c"] {
            try TestLibraries.compile(["-std=c11"] + strict + [TestLibraries.repoRoot.appendingPathComponent(src).path,
                                                               "-lm", "-o", out.path])
        }
        try TestLibraries.compile(["-std=c++17"] + strict + [TestLibraries.repoRoot.appendingPathComponent(
            "Examples/CxxPlugin/example_luma.cpp").path, "-o", out.path], compiler: TestLibraries.cxx)
        print("examples and test kit: warning-free with \(strict.prefix(4).joined(separator: " "))")
    }

    /// The defined dynamic symbols in `nm -D --defined-only` output (every type: T, D, B, R, W, V, …).
    static func exported(_ nm: String) -> [String] {
        nm.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            return f.count >= 3 ? String(f[2]) : nil
        }
    }

    /// Every plugin library — the package's Swift plugins and the C/C++ examples — exports exactly the entry.
    func testPluginsExportOnlyTheEntry() throws {
        let dir = try XCTUnwrap(PluginRegistry.executableDirectory())
        let libs = try ValidatorTests.shippedPaths()
            + [try TestLibraries.path("libexample_euler\(TestLibraries.suffix)")]
            + ["example_ridge", "example_luma"].map(TestLibraries.example) + [try SwiftPluginTests.library.get()]
        for lib in libs {
            let nm = try TestLibraries.run("nm", ["-D", "--defined-only", lib])
            XCTAssertEqual(nm.status, 0, nm.output)
            let symbols = Self.exported(nm.stdout)
            print("\(lib.replacingOccurrences(of: dir + "/", with: "")): exports \(symbols.prefix(5))\(symbols.count > 5 ? "… (\(symbols.count))" : "")")
            XCTAssertEqual(symbols, ["ldmprobe_entry_v1"], lib)
        }
    }
}

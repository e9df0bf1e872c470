// The ABI headers are the contract: each compiles on its own, warning-free, as C11 and as C++17.
import Foundation
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
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("libex-\(UUID().uuidString).so")
        defer { try? FileManager.default.removeItem(at: out) }
        for src in [TestLibraries.repoRoot.appendingPathComponent("Examples/CPlugin/example_euler.c"),
                    TestLibraries.fixtures.appendingPathComponent("testkit.c")] {
            try TestLibraries.compile(["-std=c11", "-pedantic", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                                       "-I", TestLibraries.include, src.path, "-lm", "-o", out.path])
        }
        // The version script leaves exactly one exported symbol.
        let nm = try TestLibraries.run("nm", ["-D", "--defined-only", try TestLibraries.path("libexample_euler.so")])
        let symbols = nm.stdout.split(separator: "\n").filter { $0.contains(" T ") || $0.contains(" D ") }
        XCTAssertEqual(symbols.map { String($0.split(separator: " ").last!) }, ["ldmprobe_entry_v1"])
    }
}

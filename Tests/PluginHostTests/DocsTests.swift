// docs/plugins.md builds as written: its C block compiles warning-free and passes validate-plugin, its cc/c++
// command lines build (from the checkout, output redirected), and every plugin name and parameter its specs use
// exists.
import Foundation
import PluginHost
import XCTest

final class DocsTests: XCTestCase {
    static func docs() throws -> String {
        try String(contentsOf: TestLibraries.repoRoot.appendingPathComponent("docs/plugins.md"), encoding: .utf8)
    }

    /// The bodies of the ``` blocks tagged `language`.
    static func blocks(_ language: String) throws -> [String] {
        let parts = try docs().components(separatedBy: "```")
        // Odd parts are inside a fence; their first line is the language tag.
        return stride(from: 1, to: parts.count, by: 2).compactMap { i -> String? in
            let part = parts[i]
            guard let newline = part.firstIndex(of: "\n"), part[..<newline] == language else { return nil }
            return String(part[part.index(after: newline)...])
        }
    }

    func testCBlockBuildsAndValidates() throws {
        let c = try Self.blocks("c")
        XCTAssertEqual(c.count, 1)
        let dir = try TestLibraries.build().appendingPathComponent("docs")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let src = dir.appendingPathComponent("doc_constant.c")
        try c[0].write(to: src, atomically: true, encoding: .utf8)
        let lib = dir.appendingPathComponent("libdoc_constant\(TestLibraries.suffix)").path
        try TestLibraries.compile(["-std=c11", "-pedantic", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                                   "-fvisibility=hidden", "-I", TestLibraries.include, src.path, "-o", lib])
        let report = PluginValidator.validate(libraries: [lib])
        print(report.table)
        XCTAssertTrue(report.passed, "\(report.failures)")
        XCTAssertTrue(report.checks.contains { $0.plugin == "labeler doc-constant" && $0.check == "load" })
    }

    func testBuildCommandsRunAsWritten() throws {
        let lines = try Self.blocks("sh").flatMap { $0.split(separator: "\n").map(String.init) }
            .filter { $0.hasPrefix("cc ") || $0.hasPrefix("c++ ") }
        XCTAssertEqual(lines.count, 3)
        let out = try TestLibraries.build().appendingPathComponent("docs-build")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        for line in lines {
            var args = line.split(separator: " ").map(String.init)
            let tool = args.removeFirst()
            // Write the library to the temporary folder instead of the checkout.
            let o = try XCTUnwrap(args.firstIndex(of: "-o"))
            let lib = out.appendingPathComponent(args[o + 1]).path
            args[o + 1] = lib
            let r = try TestLibraries.run(tool == "cc" ? TestLibraries.cc : TestLibraries.cxx, args,
                                          cwd: TestLibraries.repoRoot)
            XCTAssertEqual(r.status, 0, "\(line)\n\(r.output)")
            let nm = try TestLibraries.run("nm", ["-D", "--defined-only", lib])
            XCTAssertEqual(HeaderCompileTests.exported(nm.stdout), ["ldmprobe_entry_v1"], line)
            print("built as documented: \(URL(fileURLWithPath: lib).lastPathComponent)")
        }
    }

    /// `--sampler name:key=…`, `--labeler …`, `--probe …`, `--classifier …`, `--spec …` and `ldmprobe action name`
    /// name plugins and parameters that exist (shipped, examples, or the page's own C block).
    func testNamesInTheDocsExist() throws {
        let dir = try XCTUnwrap(PluginRegistry.executableDirectory())
        let r = try PluginRegistry.discover(
            extraPaths: [dir, try TestLibraries.path("libexample_euler\(TestLibraries.suffix)")]
                + (try ["example_ridge", "example_luma", "example_wordpeak"].map(TestLibraries.example)),
            useEnvironment: false, useExecutableFolder: false)
        let known = Dictionary(r.plugins.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let text = try Self.docs()
        var checked: [String] = []
        let pattern = try NSRegularExpression(
            pattern: #"(?:--(?:sampler|labeler|probe|classifier|spec) |`(?=[a-z])|ldmprobe action )([a-z0-9_-]+)(?::([^\s`]+))?"#)
        for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let nameRange = Range(m.range(at: 1), in: text) else { continue }
            let name = String(text[nameRange])
            let isSpec = text[Range(m.range, in: text)!].hasPrefix("-") || text[Range(m.range, in: text)!].hasPrefix("l")
            // In backquotes, only plugin-looking names (`example-…`, shipped ones) are checked.
            guard isSpec || known[name] != nil || name.hasPrefix("example-") || name.hasPrefix("doc-") else { continue }
            if name == "doc-constant" { continue }  // built by testCBlockBuildsAndValidates
            let info = try XCTUnwrap(known[name], "docs/plugins.md names a plugin '\(name)' that does not exist")
            if let settingsRange = Range(m.range(at: 2), in: text) {
                for item in text[settingsRange].split(separator: ",") {
                    let key = String(item.split(separator: "=").first ?? "")
                    XCTAssertTrue(info.params.contains { $0.name == key },
                                  "docs/plugins.md: \(name) has no parameter '\(key)'")
                }
            }
            checked.append(name)
        }
        print("docs/plugins.md names checked: \(Set(checked).sorted())")
        for name in ["ddim", "tracer", "vgg16", "example-euler", "example-ridge", "example-luma"] {
            XCTAssertTrue(checked.contains(name), "\(name) not found in docs/plugins.md")
        }
    }
}

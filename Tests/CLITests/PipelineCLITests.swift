// Runs the built `ldmprobe` binary (found next to the test bundle, in the build's product folder): `pipeline --help`,
// and, when the embedded demo's model is present, a tiny `pipeline --demo` end to end into a temporary folder.
import Foundation
import XCTest

final class PipelineCLITests: XCTestCase {
    /// The product folder of this build: the folder holding the .xctest bundle (or the test executable).
    static var productFolder: URL? {
        let candidates = [Bundle.main.bundleURL, Bundle(for: PipelineCLITests.self).bundleURL,
                          URL(fileURLWithPath: CommandLine.arguments[0])]
        for c in candidates {
            var dir = c.standardizedFileURL
            for _ in 0..<4 {
                if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("ldmprobe").path) { return dir }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }

    /// Runs ldmprobe with `arguments`; returns (status, stdout, stderr).
    func ldmprobe(_ arguments: [String]) throws -> (Int32, String, String) {
        guard let folder = Self.productFolder else {
            throw XCTSkip("no ldmprobe executable next to the test bundle (build the Host product first)")
        }
        let p = Process()
        p.executableURL = folder.appendingPathComponent("ldmprobe")
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read stderr on another thread so a chatty child cannot block on a full pipe.
        var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    func testPipelineHelp() throws {
        let (status, out, _) = try ldmprobe(["pipeline", "--help"])
        XCTAssertEqual(status, 0)
        for flag in ["--demo", "--sampler", "--label", "--probe", "--classifier", "--count", "--out"] {
            XCTAssertTrue(out.contains(flag), "pipeline --help lacks \(flag)")
        }
    }

    func testPipelineRejectsBadLabel() throws {
        let (status, _, err) = try ldmprobe(["pipeline", "--demo", "--label", "nolabeler", "--out", "/tmp/x"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(err.contains("--label"), err)
    }

    func testDemoEndToEnd() throws {
        // The demo model: $LDMPROBE_DEMO, else Assets/demo above the product folder (as the binary looks it up).
        var found = false
        if let env = ProcessInfo.processInfo.environment["LDMPROBE_DEMO"], !env.isEmpty {
            found = FileManager.default.fileExists(atPath: env + "/model/model_index.json")
        } else if var dir = Self.productFolder {
            while dir.path != "/" && !found {
                found = FileManager.default.fileExists(atPath: dir.appendingPathComponent("Assets/demo/model/model_index.json").path)
                dir = dir.deletingLastPathComponent()
            }
        }
        guard found else { throw XCTSkip("no Assets/demo/model (the embedded demo model is not built yet)") }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-pipeline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let start = Date()
        let (status, out, err) = try ldmprobe(["pipeline", "--demo", "--count", "2", "--steps", "3", "--bootstrap", "10",
                                               "--quiet", "--out", tmp.path])
        print("pipeline --demo --count 2 --steps 3: status \(status), \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(out.contains("index.html"), out)
        let fm = FileManager.default
        XCTAssertTrue(fm.fileExists(atPath: tmp.appendingPathComponent("index.html").path))
        for sampler in ["ddim", "pndm"] {
            let base = tmp.appendingPathComponent(sampler)
            for file in ["run/manifest.json", "study/metrics.csv", "study/report.html",
                         "classification/classification.csv"] {
                XCTAssertTrue(fm.fileExists(atPath: base.appendingPathComponent(file).path), "\(sampler)/\(file) missing")
            }
            let metrics = (try? String(contentsOf: base.appendingPathComponent("study/metrics.csv"), encoding: .utf8)) ?? ""
            let lines = metrics.split(separator: "\n")
            print("\(sampler): metrics.csv \(lines.count) lines")
            XCTAssertGreaterThan(lines.count, 1, "\(sampler)/study/metrics.csv has no rows")
        }
    }
}

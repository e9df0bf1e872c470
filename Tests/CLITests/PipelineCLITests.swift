// Runs the built `ldmprobe` binary (found next to the test bundle, in the build's product folder): `pipeline --help`,
// and, when the embedded demo's model is present, a tiny `pipeline --demo` end to end into a temporary folder.
import Foundation
import XCTest

final class PipelineCLITests: XCTestCase {
    func ldmprobe(_ arguments: [String]) throws -> (Int32, String, String) { try LDMProbeCLI.run(arguments) }

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
        guard LDMProbeCLI.demoModelPresent else { return XCTFail("no Assets/demo/model/model_index.json: the embedded demo is part of the repository (restore it with git checkout Assets/demo, or remake it with tools/demo/, see Assets/demo/README.md)") }
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
            for file in ["run/manifest.json", "study/metrics.csv", "study/report.html", "study/study.json",
                         "classification/classification.csv", "control-permuted/run/manifest.json"] {
                XCTAssertTrue(fm.fileExists(atPath: base.appendingPathComponent(file).path), "\(sampler)/\(file) missing")
            }
            let metrics = (try? String(contentsOf: base.appendingPathComponent("study/metrics.csv"), encoding: .utf8)) ?? ""
            let lines = metrics.split(separator: "\n")
            print("\(sampler): metrics.csv \(lines.count) lines")
            XCTAssertGreaterThan(lines.count, 1, "\(sampler)/study/metrics.csv has no rows")
            XCTAssertTrue(lines.contains { $0.contains(":permuted,") }, "\(sampler): the demo's permuted control has no rows")
        }
    }

    /// `pipeline --intervene FLAGS` runs `intervene` through the sampler's study probes with the pipeline's model
    /// and settings (3 steps: the default calls 0-4 shrink to the run's 3).
    func testInterveneStage() throws {
        XCTAssertTrue(LDMProbeCLI.demoModelPresent, "no Assets/demo/model: the demo model is part of the repository")
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-iv-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let (status, out, err) = try ldmprobe(["pipeline", "--demo", "--count", "6", "--steps", "3", "--sampler", "ddim",
                                               "--control", "none", "--classifier", "none", "--bootstrap", "10", "--quiet",
                                               "--intervene", "--shift-foreground 4,0 --count 2 --iterations 4 "
                                                   + "--eval-labeler world-foreground --bootstrap 10",
                                               "--out", tmp.path])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(out.contains("strongest control"), out)
        let evaluation = try String(contentsOf: tmp.appendingPathComponent("ddim/intervene/evaluation.csv"), encoding: .utf8)
        print("pipeline --intervene: evaluation.csv \(evaluation.split(separator: "\n").count) lines")
        XCTAssertGreaterThan(evaluation.split(separator: "\n").count, 2)
    }
}
